using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// The four fitted constants of <see cref="ModernCostModel"/>: the fractions of HBM bandwidth and tensor-core peak an
/// engine reaches, its fixed cost per layer of a forward pass, and the latency of a tensor-parallel all-reduce per
/// layer (flat in the degree: a one-shot custom all-reduce). The embedded values are the minimax fit to the public
/// anchors of <c>Rollout/CostModel/Data/modern-cost-model.json</c>.
/// </summary>
/// <param name="MemoryEfficiency">The fraction of HBM bandwidth reached reading weights and KV cache, in (0, 1].</param>
/// <param name="ComputeEfficiency">The fraction of the tensor cores' peak reached by matrix multiplies and attention, in (0, 1].</param>
/// <param name="LayerOverheadSeconds">Fixed seconds of a forward pass per layer (kernels that move little data, launches); at least 0.</param>
/// <param name="AllReduceSecondsPerLayer">Latency of a layer's all-reduces at any degree above 1; at least 0.</param>
public sealed record ModernCostModelConstants(double MemoryEfficiency, double ComputeEfficiency, double LayerOverheadSeconds, double AllReduceSecondsPerLayer)
{
    /// <summary>Checks every constant; errors name it (<c>constants.memoryEfficiency</c>, ...).</summary>
    /// <returns>These constants.</returns>
    /// <exception cref="PlanningInputException">A constant is out of range.</exception>
    public ModernCostModelConstants Validate()
    {
        Fraction("constants.memoryEfficiency", MemoryEfficiency);
        Fraction("constants.computeEfficiency", ComputeEfficiency);
        NonNegative("constants.layerOverheadSeconds", LayerOverheadSeconds);
        NonNegative("constants.allReduceSecondsPerLayer", AllReduceSecondsPerLayer);
        return this;
    }

    private static void Fraction(string field, double value)
    {
        if (!(value > 0 && value <= 1))
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be a fraction in (0, 1], got {value}"));
        }
    }

    private static void NonNegative(string field, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be a finite number of seconds, 0 or more, got {value}"));
        }
    }
}
