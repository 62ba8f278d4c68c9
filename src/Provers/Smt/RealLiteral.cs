using System.Numerics;

namespace Planning.Provers.Smt;

/// <summary>A rational constant of sort Real, kept in lowest terms with a positive denominator.</summary>
internal sealed record RealLiteral : Term
{
    /// <summary>Creates the real constant <paramref name="value"/>.</summary>
    /// <param name="value">The (integral) value.</param>
    public RealLiteral(BigInteger value)
        : this(value, BigInteger.One)
    {
    }

    /// <summary>Creates the real constant <paramref name="numerator"/> / <paramref name="denominator"/>.</summary>
    /// <param name="numerator">The numerator.</param>
    /// <param name="denominator">The denominator; not zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">The denominator is zero.</exception>
    public RealLiteral(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), "the denominator of a real constant must not be zero");
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsOne && !gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }

        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>The numerator (carries the sign).</summary>
    public BigInteger Numerator { get; }

    /// <summary>The denominator, positive.</summary>
    public BigInteger Denominator { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.RealSort;
}
