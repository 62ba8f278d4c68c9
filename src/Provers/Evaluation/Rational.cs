using System.Globalization;
using System.Numerics;

namespace Planning.Provers.Evaluation;

/// <summary>
/// An exact rational number: a <see cref="BigInteger"/> numerator over a positive denominator, always in lowest terms
/// (so equal values are equal structurally). The default value is 0.
/// </summary>
public readonly struct Rational : IEquatable<Rational>, IComparable<Rational>, IComparable
{
    private readonly BigInteger _denominatorMinusOne;

    /// <summary>Creates <c>numerator / denominator</c>, normalised to lowest terms with a positive denominator.</summary>
    /// <param name="numerator">The numerator.</param>
    /// <param name="denominator">The denominator; not zero.</param>
    /// <exception cref="DivideByZeroException"><paramref name="denominator"/> is zero.</exception>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException("A rational's denominator cannot be zero.");
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        BigInteger gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }

        Numerator = numerator;
        _denominatorMinusOne = denominator - BigInteger.One;
    }

    /// <summary>Creates the integer <paramref name="value"/>.</summary>
    /// <param name="value">The integer.</param>
    public Rational(BigInteger value)
    {
        Numerator = value;
        _denominatorMinusOne = BigInteger.Zero;
    }

    /// <summary>Zero.</summary>
    public static Rational Zero => default;

    /// <summary>One.</summary>
    public static Rational One => new(BigInteger.One);

    /// <summary>The numerator in lowest terms (carries the sign).</summary>
    public BigInteger Numerator { get; }

    /// <summary>The denominator in lowest terms, always positive.</summary>
    public BigInteger Denominator => _denominatorMinusOne + BigInteger.One;

    /// <summary>Whether the value is an integer.</summary>
    public bool IsInteger => _denominatorMinusOne.IsZero;

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => Numerator.IsZero;

    /// <summary>The sign: -1, 0 or 1.</summary>
    public int Sign => Numerator.Sign;

    /// <summary>Converts an integer.</summary>
    /// <param name="value">The integer.</param>
    public static implicit operator Rational(long value)
    {
        return new Rational(new BigInteger(value));
    }

    /// <summary>Converts an integer.</summary>
    /// <param name="value">The integer.</param>
    public static implicit operator Rational(BigInteger value)
    {
        return new Rational(value);
    }

    /// <summary>The sum.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left + right</c>.</returns>
    public static Rational operator +(Rational left, Rational right)
    {
        return left.IsInteger && right.IsInteger
            ? new Rational(left.Numerator + right.Numerator)
            : new Rational((left.Numerator * right.Denominator) + (right.Numerator * left.Denominator), left.Denominator * right.Denominator);
    }

    /// <summary>The difference.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left - right</c>.</returns>
    public static Rational operator -(Rational left, Rational right)
    {
        return left + (-right);
    }

    /// <summary>The negation.</summary>
    /// <param name="value">The operand.</param>
    /// <returns><c>-value</c>.</returns>
    public static Rational operator -(Rational value)
    {
        return value.IsInteger ? new Rational(-value.Numerator) : new Rational(-value.Numerator, value.Denominator);
    }

    /// <summary>The product.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left * right</c>.</returns>
    public static Rational operator *(Rational left, Rational right)
    {
        return left.IsInteger && right.IsInteger
            ? new Rational(left.Numerator * right.Numerator)
            : new Rational(left.Numerator * right.Numerator, left.Denominator * right.Denominator);
    }

    /// <summary>The exact quotient (mathematical division; Lean's <c>x / 0 = 0</c> is the evaluator's business).</summary>
    /// <param name="left">The dividend.</param>
    /// <param name="right">The divisor; not zero.</param>
    /// <returns><c>left / right</c>.</returns>
    /// <exception cref="DivideByZeroException"><paramref name="right"/> is zero.</exception>
    public static Rational operator /(Rational left, Rational right)
    {
        return new Rational(left.Numerator * right.Denominator, left.Denominator * right.Numerator);
    }

    /// <summary>Whether the values are equal.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(Rational left, Rational right)
    {
        return left.Equals(right);
    }

    /// <summary>Whether the values differ.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Rational left, Rational right)
    {
        return !left.Equals(right);
    }

    /// <summary>Whether <paramref name="left"/> is smaller.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left &lt; right</c>.</returns>
    public static bool operator <(Rational left, Rational right)
    {
        return left.CompareTo(right) < 0;
    }

    /// <summary>Whether <paramref name="left"/> is smaller or equal.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left ≤ right</c>.</returns>
    public static bool operator <=(Rational left, Rational right)
    {
        return left.CompareTo(right) <= 0;
    }

    /// <summary>Whether <paramref name="left"/> is larger.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left &gt; right</c>.</returns>
    public static bool operator >(Rational left, Rational right)
    {
        return left.CompareTo(right) > 0;
    }

    /// <summary>Whether <paramref name="left"/> is larger or equal.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left ≥ right</c>.</returns>
    public static bool operator >=(Rational left, Rational right)
    {
        return left.CompareTo(right) >= 0;
    }

    /// <summary>The sum (named alternative of <c>+</c>).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left + right</c>.</returns>
    public static Rational Add(Rational left, Rational right) => left + right;

    /// <summary>The difference (named alternative of <c>-</c>).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left - right</c>.</returns>
    public static Rational Subtract(Rational left, Rational right) => left - right;

    /// <summary>The product (named alternative of <c>*</c>).</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns><c>left * right</c>.</returns>
    public static Rational Multiply(Rational left, Rational right) => left * right;

    /// <summary>The exact quotient (named alternative of <c>/</c>).</summary>
    /// <param name="left">The dividend.</param>
    /// <param name="right">The divisor; not zero.</param>
    /// <returns><c>left / right</c>.</returns>
    public static Rational Divide(Rational left, Rational right) => left / right;

    /// <summary>The negation (named alternative of unary <c>-</c>).</summary>
    /// <param name="value">The operand.</param>
    /// <returns><c>-value</c>.</returns>
    public static Rational Negate(Rational value) => -value;

    /// <summary>The absolute value.</summary>
    /// <param name="value">The operand.</param>
    /// <returns><c>|value|</c>.</returns>
    public static Rational Abs(Rational value) => value.Sign < 0 ? -value : value;

    /// <summary>The largest integer not above the value.</summary>
    /// <param name="value">The operand.</param>
    /// <returns><c>⌊value⌋</c>.</returns>
    public static BigInteger Floor(Rational value)
    {
        BigInteger quotient = BigInteger.DivRem(value.Numerator, value.Denominator, out BigInteger remainder);
        return remainder.Sign < 0 ? quotient - BigInteger.One : quotient;
    }

    /// <summary>The smallest integer not below the value.</summary>
    /// <param name="value">The operand.</param>
    /// <returns><c>⌈value⌉</c>.</returns>
    public static BigInteger Ceiling(Rational value)
    {
        return -Floor(-value);
    }

    /// <summary>An integer power; a negative exponent inverts (the base must then be non-zero).</summary>
    /// <param name="value">The base.</param>
    /// <param name="exponent">The exponent.</param>
    /// <returns><c>value ^ exponent</c> (<c>0 ^ 0 = 1</c>).</returns>
    /// <exception cref="DivideByZeroException">The base is zero and the exponent negative.</exception>
    public static Rational Pow(Rational value, int exponent)
    {
        if (exponent < 0)
        {
            return One / Pow(value, -exponent);
        }

        return value.IsInteger
            ? new Rational(BigInteger.Pow(value.Numerator, exponent))
            : new Rational(BigInteger.Pow(value.Numerator, exponent), BigInteger.Pow(value.Denominator, exponent));
    }

    /// <summary>The exact <paramref name="degree"/>-th root when it is rational (<c>√(9/4) = 3/2</c>).</summary>
    /// <param name="value">The radicand; negative only for odd degrees.</param>
    /// <param name="degree">The degree, at least 1.</param>
    /// <param name="root">The root, when it is rational.</param>
    /// <returns>Whether the root is rational (and, for even degrees, the radicand non-negative).</returns>
    public static bool TryRoot(Rational value, int degree, out Rational root)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        root = value;
        if (degree == 1)
        {
            return true;
        }

        if (value.Sign < 0)
        {
            if (degree % 2 == 0 || !TryRoot(-value, degree, out Rational positive))
            {
                return false;
            }

            root = -positive;
            return true;
        }

        if (IntegerRoot(value.Numerator, degree) is BigInteger numerator && IntegerRoot(value.Denominator, degree) is BigInteger denominator)
        {
            root = new Rational(numerator, denominator);
            return true;
        }

        return false;
    }

    /// <summary>The floor of the <paramref name="degree"/>-th root of a non-negative integer.</summary>
    /// <param name="value">The radicand, not negative.</param>
    /// <param name="degree">The degree, at least 1.</param>
    /// <returns>The largest <c>r</c> with <c>r ^ degree ≤ value</c>.</returns>
    public static BigInteger FloorRoot(BigInteger value, int degree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value.Sign);
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        if (value.IsZero || degree == 1)
        {
            return value;
        }

        // Newton's method from above, in integers.
        int bits = (int)(value.GetBitLength() / degree) + 1;
        BigInteger x = BigInteger.One << bits;
        while (true)
        {
            BigInteger next = (((degree - 1) * x) + (value / BigInteger.Pow(x, degree - 1))) / degree;
            if (next >= x)
            {
                break;
            }

            x = next;
        }

        while (BigInteger.Pow(x, degree) > value)
        {
            x -= BigInteger.One;
        }

        while (BigInteger.Pow(x + BigInteger.One, degree) <= value)
        {
            x += BigInteger.One;
        }

        return x;
    }

    /// <summary>Parses <c>p</c>, <c>p/q</c> or a decimal such as <c>-1.25</c> (invariant culture).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The text is not a rational.</exception>
    public static Rational Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return new Rational(BigInteger.Parse(text[..slash], CultureInfo.InvariantCulture), BigInteger.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture));
        }

        int dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            string digits = text.Remove(dot, 1);
            int fraction = text.Length - dot - 1;
            return new Rational(BigInteger.Parse(digits, CultureInfo.InvariantCulture), BigInteger.Pow(10, fraction));
        }

        return new Rational(BigInteger.Parse(text, CultureInfo.InvariantCulture));
    }

    /// <summary>Compares two values.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>Negative, zero or positive as this value is smaller, equal or larger.</returns>
    public int CompareTo(Rational other)
    {
        return IsInteger && other.IsInteger
            ? Numerator.CompareTo(other.Numerator)
            : (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);
    }

    /// <summary>Compares with another boxed rational.</summary>
    /// <param name="obj">The other value.</param>
    /// <returns>The order.</returns>
    /// <exception cref="ArgumentException"><paramref name="obj"/> is not a <see cref="Rational"/>.</exception>
    public int CompareTo(object? obj)
    {
        return obj switch
        {
            null => 1,
            Rational other => CompareTo(other),
            _ => throw new ArgumentException("Not a Rational.", nameof(obj)),
        };
    }

    /// <summary>Whether the values are equal.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(Rational other)
    {
        return Numerator == other.Numerator && _denominatorMinusOne == other._denominatorMinusOne;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj)
    {
        return obj is Rational other && Equals(other);
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        return HashCode.Combine(Numerator, _denominatorMinusOne);
    }

    /// <summary>The value as <c>p</c> or <c>p/q</c>, the form the SMT backends report model values in.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        return IsInteger
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : Numerator.ToString(CultureInfo.InvariantCulture) + "/" + Denominator.ToString(CultureInfo.InvariantCulture);
    }

    private static BigInteger? IntegerRoot(BigInteger value, int degree)
    {
        BigInteger root = FloorRoot(value, degree);
        return BigInteger.Pow(root, degree) == value ? root : null;
    }
}
