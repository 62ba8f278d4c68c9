using Planning.Rollout;

namespace Planning.Tests.Rollout;

/// <summary>
/// A closed-form cost model for tests: decode iteration = weights / d + communication * log2 d + perSequence * b / d
/// + perKvToken * C / d; prefill = fixed + perPrefillToken * (new + perCachedFraction * cached) / d; KV capacity =
/// kvPerGpu * d. Nondecreasing in batch and context, as the placement and bounds assume.
/// </summary>
internal sealed class AffineCostModel(
    double weightsSeconds = 0.02,
    double communicationSeconds = 0.002,
    double perSequenceSeconds = 0.0005,
    double perKvTokenSeconds = 1e-8,
    double prefillFixedSeconds = 0.01,
    double perPrefillTokenSeconds = 2e-5,
    long kvPerGpu = 1_000_000,
    IReadOnlyList<int>? degrees = null) : IInferenceCostModel
{
    public string ModelName => "affine-test";

    public IReadOnlyList<int> TensorParallelDegrees { get; } = degrees ?? [1, 2, 4, 8];

    public long KvBytesPerToken => 131_072;

    public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) =>
        (weightsSeconds / tensorParallel) + (communicationSeconds * Math.Log2(tensorParallel))
        + (perSequenceSeconds * batchSize / tensorParallel) + (perKvTokenSeconds * contextTokens / tensorParallel);

    public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) =>
        prefillFixedSeconds + (perPrefillTokenSeconds * (newTokens + (0.1 * cachedTokens)) / tensorParallel);

    public long KvCapacityTokens(int tensorParallel) => kvPerGpu * tensorParallel;
}

/// <summary>Decode time 1 + b per iteration at every degree, nothing else: the textbook counterexample model.</summary>
internal sealed class LinearBatchCostModel(double perSequence = 1.0) : IInferenceCostModel
{
    public string ModelName => "linear-batch-test";

    public IReadOnlyList<int> TensorParallelDegrees { get; } = [1, 2];

    public long KvBytesPerToken => 1;

    public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) =>
        (1.0 + (perSequence * batchSize)) / tensorParallel;

    public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) => 0;

    public long KvCapacityTokens(int tensorParallel) => long.MaxValue / 4;
}

/// <summary>An iteration of 2 ms + 8 ms / TP + 1 ms per sequence: TP1 has the most tokens per GPU, a lone sequence is fastest at TP4.</summary>
internal sealed class TailCostModel : IInferenceCostModel
{
    public string ModelName => "tail";

    public IReadOnlyList<int> TensorParallelDegrees { get; } = [1, 2, 4];

    public long KvBytesPerToken => 1000;

    public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) => 0.002 + (0.008 / tensorParallel) + (0.001 * batchSize);

    public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) => 0.0001 * newTokens / tensorParallel;

    public long KvCapacityTokens(int tensorParallel) => 2000L * tensorParallel;
}

/// <summary>Predicts the same remaining tokens for every trajectory at every point (a predictor that knows nothing).</summary>
internal sealed class ConstantPredictor(double tokens) : IRemainingWorkPredictor
{
    public double PredictRemainingTokens(in TrajectoryProgress progress) => tokens;
}

/// <summary>Knows every trajectory's future: remaining tokens by prompt length (tests give every trajectory its own prompt length).</summary>
internal sealed class OraclePredictor(IReadOnlyList<Trajectory> trace) : IRemainingWorkPredictor
{
    private readonly Dictionary<int, Trajectory> _byPrompt = trace.ToDictionary(t => t.PromptTokens);

    public double PredictRemainingTokens(in TrajectoryProgress progress) =>
        _byPrompt[progress.PromptTokens].TotalOutputTokens - progress.GeneratedTokens;
}
