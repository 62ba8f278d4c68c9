using System.Globalization;
using System.Numerics;

namespace Planning.Provers.Smt;

/// <summary>
/// The one text form of model values that both backends report: <c>true</c>/<c>false</c>; integers in decimal with a
/// leading <c>-</c> when negative (<c>-3</c>); rationals as <c>p/q</c> in lowest terms (<c>-1/3</c>), or as an integer
/// when whole; anything else (an algebraic number such as <c>(root-obj (+ (^ x 2) (- 2)) 2)</c>) as Z3's SMT-LIB text
/// on one line.
/// </summary>
internal static class SmtValues
{
    /// <summary>Normalizes a value printed by Z3 in SMT-LIB syntax.</summary>
    public static string Normalize(string smtLibValue)
    {
        SExpression parsed;
        try
        {
            parsed = SExpression.Parse(smtLibValue);
        }
        catch (FormatException)
        {
            return smtLibValue.Trim();
        }

        return parsed.TryRational(out var numerator, out var denominator) ? Rational(numerator, denominator) : parsed.ToString();
    }

    /// <summary>A rational in the common form.</summary>
    public static string Rational(BigInteger numerator, BigInteger denominator) =>
        denominator.IsOne
            ? numerator.ToString(CultureInfo.InvariantCulture)
            : numerator.ToString(CultureInfo.InvariantCulture) + "/" + denominator.ToString(CultureInfo.InvariantCulture);
}
