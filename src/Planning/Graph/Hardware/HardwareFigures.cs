using System.Globalization;

namespace Planning.Graph;

/// <summary>The range check every hardware figure shares.</summary>
internal static class HardwareFigures
{
    /// <summary>Throws unless <paramref name="value"/> is positive and finite (NaN fails too).</summary>
    /// <param name="field">The field to blame.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="PlanningInputException">The value is zero, negative, NaN or infinite.</exception>
    public static void Positive(string field, double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be a positive number, got {value}"));
        }
    }
}
