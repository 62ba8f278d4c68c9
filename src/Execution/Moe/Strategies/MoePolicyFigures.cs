using System.Collections.Immutable;

namespace Planning.Execution.Moe.Strategies;

/// <summary>One strategy's running figures over a run: each layer's time, and the sums behind the means.</summary>
/// <param name="name">The strategy's name.</param>
/// <param name="layers">MoE layers per microbatch.</param>
internal sealed class MoePolicyFigures(string name, int layers)
{
    private readonly List<MoeLayerTime[]> _times = [];
    private double _imbalance;
    private double _replicas;
    private int _layers;
    private long _bytes;
    private ImmutableArray<double> _sample = [];

    /// <summary>The mean step time so far (a step is every layer of one microbatch).</summary>
    public double MeanStepSeconds => _times.Average(step => step.Sum(t => t.TotalSeconds));

    /// <summary>Opens the next microbatch.</summary>
    public void BeginMicrobatch() => _times.Add(new MoeLayerTime[layers]);

    /// <summary>Counts bytes moved outside a layer (between microbatches).</summary>
    /// <param name="bytes">The bytes.</param>
    public void AddBytes(long bytes) => _bytes += bytes;

    /// <summary>Records a layer of the current microbatch.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="step">What it cost.</param>
    public void Record(int layer, MoeLayerStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _times[^1][layer] = step.Time;
        _imbalance += step.Imbalance;
        _replicas += step.Replicas;
        _layers++;
        _bytes += step.BytesSynced;
        if (layer == 0)
        {
            _sample = [.. step.RankLoads];
        }
    }

    /// <summary>Charges the planner's time per layer to every layer recorded.</summary>
    /// <param name="seconds">The time per layer.</param>
    public void ChargePlanner(double seconds)
    {
        foreach (var step in _times)
        {
            for (var l = 0; l < step.Length; l++)
            {
                step[l] = step[l] with { PlannerSeconds = seconds };
            }
        }
    }

    /// <summary>The figures, against the references.</summary>
    /// <param name="tokensPerStep">Tokens per step, for throughput.</param>
    /// <param name="idealMean">The ideal's mean step time.</param>
    /// <param name="noneMean">The <c>none</c> policy's mean step time.</param>
    /// <returns>The outcome.</returns>
    public MoePolicyOutcome Outcome(double tokensPerStep, double idealMean, double noneMean)
    {
        var steps = _times.Select(step => step.Sum(t => t.TotalSeconds)).ToImmutableArray();
        var mean = steps.Average();
        var count = (double)_times.Count;
        var parts = new MoeLayerTime(
            _times.Sum(s => s.Sum(t => t.DispatchSeconds)) / count,
            _times.Sum(s => s.Sum(t => t.ComputeSeconds)) / count,
            _times.Sum(s => s.Sum(t => t.CombineSeconds)) / count,
            _times.Sum(s => s.Sum(t => t.WeightSyncSeconds)) / count,
            _times.Sum(s => s.Sum(t => t.ExposedWeightSyncSeconds)) / count,
            _times.Sum(s => s.Sum(t => t.PlannerSeconds)) / count);
        return new MoePolicyOutcome(
            name,
            mean,
            tokensPerStep / mean,
            idealMean / mean,
            noneMean / mean,
            _imbalance / _layers,
            _bytes,
            _replicas / _layers,
            parts,
            steps,
            _sample);
    }
}
