using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>Arithmetic: numerals, + - * / % ^ with Lean's rules per type, casts and negation, comparisons and divisibility.</summary>
internal sealed partial class ExactEvaluator
{
    /// <summary>A decimal literal (<c>1.5e3</c>) as an exact rational.</summary>
    private static Rational Scientific(ScientificExpr scientific)
    {
        if (Math.Abs(scientific.Exponent) > 1000)
        {
            throw new NotEvaluableException("huge decimal exponent");
        }

        BigInteger power = BigInteger.Pow(10, Math.Abs(scientific.Exponent));
        return scientific.Exponent >= 0 ? new Rational(scientific.Mantissa * power) : new Rational(scientific.Mantissa, power);
    }

    /// <summary>Negation, which Lean's ℕ and NNReal do not have (the parser never builds it there; this guards the rule).</summary>
    private Rational Negate(NegateExpr negate)
    {
        return negate.Type.Kind is FormalTypeKind.Nat or FormalTypeKind.NNReal
            ? throw new NotEvaluableException("negation on " + negate.Type)
            : -Number(negate.Operand);
    }

    private Rational Arithmetic(ArithmeticExpr arithmetic)
    {
        if (arithmetic.Operator == NumericOperator.Power)
        {
            return Power(arithmetic);
        }

        Rational left = Number(arithmetic.Left);
        Rational right = Number(arithmetic.Right);
        FormalTypeKind kind = arithmetic.Type.Kind;
        bool integral = kind is FormalTypeKind.Nat or FormalTypeKind.Int;
        switch (arithmetic.Operator)
        {
            case NumericOperator.Add:
                return Checked(left + right);
            case NumericOperator.Multiply:
                return Checked(left * right);
            case NumericOperator.Subtract:
                {
                    Rational difference = left - right;
                    return kind is FormalTypeKind.Nat or FormalTypeKind.NNReal && difference.Sign < 0 ? Rational.Zero : difference;
                }

            case NumericOperator.Divide:
                if (right.IsZero)
                {
                    return Rational.Zero;
                }

                return integral ? EuclideanDiv(Whole(left), Whole(right)) : left / right;
            default:
                if (!integral)
                {
                    throw new NotEvaluableException("% on " + arithmetic.Type);
                }

                return right.IsZero ? left : EuclideanMod(Whole(left), Whole(right));
        }
    }

    private static BigInteger Whole(Rational value)
    {
        return value.IsInteger ? value.Numerator : throw new NotEvaluableException("non-integer value at an integer type");
    }

    private static Rational Checked(Rational value)
    {
        return value.Numerator.GetBitLength() > MaxBits || value.Denominator.GetBitLength() > MaxBits
            ? throw new NotEvaluableException("number too large")
            : value;
    }

    private static BigInteger EuclideanDiv(BigInteger a, BigInteger b)
    {
        if (b.IsZero)
        {
            return BigInteger.Zero;
        }

        BigInteger q = BigInteger.DivRem(a, b, out BigInteger r);
        if (r.Sign < 0)
        {
            q = b.Sign > 0 ? q - BigInteger.One : q + BigInteger.One;
        }

        return q;
    }

    private static BigInteger EuclideanMod(BigInteger a, BigInteger b)
    {
        if (b.IsZero)
        {
            return a;
        }

        BigInteger r = BigInteger.Remainder(a, b);
        return r.Sign < 0 ? r + BigInteger.Abs(b) : r;
    }

    private Rational Power(ArithmeticExpr power)
    {
        Rational baseValue = Number(power.Left);
        Rational exponent = Number(power.Right);
        FormalTypeKind exponentKind = power.Right.Type.Kind;
        if (exponentKind is FormalTypeKind.Nat or FormalTypeKind.Int || exponent.IsInteger)
        {
            if (!exponent.IsInteger)
            {
                throw new NotEvaluableException("non-integer exponent");
            }

            return IntegerPower(baseValue, exponent.Numerator);
        }

        // rpow with a non-integer exponent: x^(p/q) = (x^(1/q))^p for x > 0, 0 for x = 0.
        if (baseValue.IsZero)
        {
            return Rational.Zero;
        }

        if (baseValue.Sign < 0)
        {
            throw new NotEvaluableException("rpow of a negative base");
        }

        if (exponent.Denominator > 64 || !Rational.TryRoot(baseValue, (int)exponent.Denominator, out Rational root))
        {
            throw new NotEvaluableException("irrational power");
        }

        return IntegerPower(root, exponent.Numerator);
    }

    private static Rational IntegerPower(Rational baseValue, BigInteger exponent)
    {
        if (exponent.Sign < 0)
        {
            return baseValue.IsZero ? Rational.Zero : Rational.One / IntegerPower(baseValue, -exponent);
        }

        if (exponent.IsZero || baseValue == Rational.One)
        {
            return Rational.One;
        }

        if (baseValue.IsZero)
        {
            return Rational.Zero;
        }

        if (baseValue == -Rational.One)
        {
            return exponent.IsEven ? Rational.One : -Rational.One;
        }

        long bits = Math.Max(baseValue.Numerator.GetBitLength(), baseValue.Denominator.GetBitLength());
        if (exponent > MaxBits || bits * (long)exponent > MaxBits)
        {
            throw new NotEvaluableException("power too large");
        }

        return Rational.Pow(baseValue, (int)exponent);
    }

    /// <summary>
    /// The order of two numbers; a side that is a square root is compared through squares, so that
    /// <c>√539 = 11</c> is decided (false) although <c>√539</c> is irrational.
    /// </summary>
    private int Order(FormalExpr left, FormalExpr right)
    {
        if (IsSqrt(left) is FormalExpr leftRadicand)
        {
            return SqrtOrder(Number(leftRadicand), Number(right));
        }

        if (IsSqrt(right) is FormalExpr rightRadicand)
        {
            return -SqrtOrder(Number(rightRadicand), Number(left));
        }

        return Number(left).CompareTo(Number(right));
    }

    private static FormalExpr? IsSqrt(FormalExpr expression)
    {
        return expression is CallExpr { Function: FormalFunction.RealSqrt or FormalFunction.NNRealSqrt } call ? call.Arguments[0] : null;
    }

    /// <summary>The sign of <c>√radicand - other</c>, with <c>√x = 0</c> for negative <c>x</c>.</summary>
    private static int SqrtOrder(Rational radicand, Rational other)
    {
        if (other.Sign < 0)
        {
            return 1;
        }

        Rational square = radicand.Sign < 0 ? Rational.Zero : radicand;
        return square.CompareTo(Checked(other * other));
    }

    private static bool Divides(FormalType type, Rational divisor, Rational dividend)
    {
        if (type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
        {
            return divisor.IsZero ? dividend.IsZero : BigInteger.Remainder(dividend.Numerator, divisor.Numerator).IsZero;
        }

        // In a field every non-zero element divides everything.
        return !divisor.IsZero || dividend.IsZero;
    }
}
