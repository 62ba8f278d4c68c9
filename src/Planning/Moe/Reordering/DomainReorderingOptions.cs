using System.Globalization;

namespace Planning.Moe.Reordering;

/// <summary>Settings of <see cref="DomainReordering"/>.</summary>
public sealed record DomainReorderingOptions
{
    /// <summary>The defaults: stop within 1 % of the mean domain load, swaps worth at least 0.5 % of it, at most 16 swaps.</summary>
    public static DomainReorderingOptions Default { get; } = new();

    /// <summary>Stop once the largest domain load is within this fraction of the mean (default 0.01).</summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>
    /// The least a swap must lower the hot domain's load, as a fraction of the mean domain load (default 0.005): below
    /// that the weights a swap moves cost more than the balance it buys.
    /// </summary>
    public double MinGain { get; init; } = 0.005;

    /// <summary>The most swaps per layer (default 16): bounds the weights moved between batches.</summary>
    public int MaxSwaps { get; init; } = 16;

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public DomainReorderingOptions Validate()
    {
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
        {
            throw new PlanningInputException("reorderTolerance", string.Create(CultureInfo.InvariantCulture, $"must be a non-negative number, got {Tolerance}"));
        }

        if (!(MinGain >= 0) || double.IsInfinity(MinGain))
        {
            throw new PlanningInputException("reorderMinGain", string.Create(CultureInfo.InvariantCulture, $"must be a non-negative number, got {MinGain}"));
        }

        if (MaxSwaps < 0)
        {
            throw new PlanningInputException("reorderMaxSwaps", string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {MaxSwaps}"));
        }

        return this;
    }
}
