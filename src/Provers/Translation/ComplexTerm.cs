using Planning.Provers.Smt;

namespace Planning.Provers.Translation;

/// <summary>
/// A complex number as a pair of real SMT terms (real part, imaginary part): ℂ is ℝ² with
/// <c>(a, b)(c, d) = (ac - bd, ad + bc)</c>, so the encoding is exact. The operations fold literal parts (and drop zero
/// terms, so that <c>3 * z</c> stays linear) and follow Lean's semantics: <c>w⁻¹ = (re · r, -im · r)</c> with
/// <c>r = (normSq w)⁻¹</c>, and <c>0⁻¹ = 0</c>.
/// </summary>
/// <param name="Re">The real part, of sort Real.</param>
/// <param name="Im">The imaginary part, of sort Real.</param>
internal sealed record ComplexTerm(Term Re, Term Im)
{
    private static readonly RealLiteral Zero = new(0);
    private static readonly RealLiteral One = new(1);

    /// <summary>The imaginary unit <c>Complex.I = (0, 1)</c>.</summary>
    public static ComplexTerm ImaginaryUnit { get; } = new(Zero, One);

    /// <summary>The real number <paramref name="re"/> as a complex one (imaginary part 0).</summary>
    public static ComplexTerm OfReal(Term re) => new(re, Zero);

    /// <summary><c>a + b</c>.</summary>
    public static ComplexTerm Add(ComplexTerm a, ComplexTerm b) => new(Sum(a.Re, b.Re), Sum(a.Im, b.Im));

    /// <summary><c>a - b</c>.</summary>
    public static ComplexTerm Subtract(ComplexTerm a, ComplexTerm b) => new(Difference(a.Re, b.Re), Difference(a.Im, b.Im));

    /// <summary><c>-a</c>.</summary>
    public static ComplexTerm Negate(ComplexTerm a) => new(Minus(a.Re), Minus(a.Im));

    /// <summary><c>a · b = (a.re·b.re - a.im·b.im, a.re·b.im + a.im·b.re)</c>.</summary>
    public static ComplexTerm Multiply(ComplexTerm a, ComplexTerm b)
    {
        return new(
            Difference(Product(a.Re, b.Re), Product(a.Im, b.Im)),
            Sum(Product(a.Re, b.Im), Product(a.Im, b.Re)));
    }

    /// <summary><c>Complex.normSq a = re² + im²</c>.</summary>
    public static Term NormSquared(ComplexTerm a) => Sum(Product(a.Re, a.Re), Product(a.Im, a.Im));

    /// <summary>
    /// <c>a⁻¹</c> as in Mathlib: <c>(re · r, -im · r)</c> with <c>r</c> the real inverse of <c>n = normSq a</c>
    /// (<c>0⁻¹ = 0</c>, so <c>a⁻¹ = 0</c> at <c>a = 0</c>); a real <c>a</c> (imaginary part the literal 0) is inverted as a
    /// real. A literal is inverted exactly; <paramref name="reciprocal"/> gives the real inverse of any other term.
    /// </summary>
    /// <param name="a">The number to invert.</param>
    /// <param name="reciprocal">The real inverse <c>x⁻¹</c> (with <c>0⁻¹ = 0</c>) of a non-literal real term.</param>
    /// <returns>The inverse.</returns>
    public static ComplexTerm Inverse(ComplexTerm a, Func<Term, Term> reciprocal)
    {
        ArgumentNullException.ThrowIfNull(reciprocal);
        Term Real(Term x) => x is RealLiteral literal
            ? literal.Numerator.IsZero ? Zero : new RealLiteral(literal.Denominator, literal.Numerator)
            : reciprocal(x);
        if (IsZero(a.Im))
        {
            return OfReal(Real(a.Re));
        }

        Term r = Real(NormSquared(a));
        return new(Product(a.Re, r), Product(Minus(a.Im), r));
    }

    /// <summary><c>a / b = a · b⁻¹</c> (Lean's division on ℂ, so <c>a / 0 = 0</c>); see <see cref="Inverse"/>.</summary>
    public static ComplexTerm Divide(ComplexTerm a, ComplexTerm b, Func<Term, Term> reciprocal) => Multiply(a, Inverse(b, reciprocal));

    /// <summary><c>a ^ exponent</c> for a natural exponent, by repeated squaring (<c>a ^ 0 = 1</c>).</summary>
    public static ComplexTerm Power(ComplexTerm a, int exponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        ComplexTerm result = OfReal(One);
        ComplexTerm square = a;
        bool first = true;
        for (int rest = exponent; rest > 0; rest >>= 1)
        {
            if ((rest & 1) == 1)
            {
                result = first ? square : Multiply(result, square);
                first = false;
            }

            if (rest > 1)
            {
                square = Multiply(square, square);
            }
        }

        return result;
    }

    /// <summary><c>a = b</c>: both parts equal.</summary>
    public static Term Equal(ComplexTerm a, ComplexTerm b)
    {
        return new Conjunction(new Comparison(ComparisonOperator.Equal, a.Re, b.Re), new Comparison(ComparisonOperator.Equal, a.Im, b.Im));
    }

    private static bool IsZero(Term term) => term is RealLiteral { Numerator.IsZero: true };

    private static bool IsOne(Term term) => term is RealLiteral { Numerator.IsOne: true, Denominator.IsOne: true };

    private static Term Sum(Term a, Term b)
    {
        return (a, b) switch
        {
            (RealLiteral x, RealLiteral y) => new RealLiteral((x.Numerator * y.Denominator) + (y.Numerator * x.Denominator), x.Denominator * y.Denominator),
            _ when IsZero(a) => b,
            _ when IsZero(b) => a,
            _ => new Arithmetic(ArithmeticOperator.Add, a, b),
        };
    }

    private static Term Difference(Term a, Term b)
    {
        return (a, b) switch
        {
            (RealLiteral x, RealLiteral y) => new RealLiteral((x.Numerator * y.Denominator) - (y.Numerator * x.Denominator), x.Denominator * y.Denominator),
            _ when IsZero(b) => a,
            _ when IsZero(a) => Minus(b),
            _ => new Arithmetic(ArithmeticOperator.Subtract, a, b),
        };
    }

    private static Term Product(Term a, Term b)
    {
        return (a, b) switch
        {
            (RealLiteral x, RealLiteral y) => new RealLiteral(x.Numerator * y.Numerator, x.Denominator * y.Denominator),
            _ when IsZero(a) || IsZero(b) => Zero,
            _ when IsOne(a) => b,
            _ when IsOne(b) => a,
            _ => new Arithmetic(ArithmeticOperator.Multiply, a, b),
        };
    }

    private static Term Minus(Term a)
    {
        return a is RealLiteral x ? new RealLiteral(-x.Numerator, x.Denominator) : new UnaryMinus(a);
    }
}
