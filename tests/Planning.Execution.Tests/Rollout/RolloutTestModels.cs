using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Planning.Rollout;

namespace Planning.Execution.Tests.Rollout;

/// <summary>A linear cost model with simple numbers, so that times can be computed by hand.</summary>
internal sealed class LinearCostModel(long kvTokensPerGpu = 400, params int[] degrees) : IInferenceCostModel
{
    public const double Fixed = 0.010;
    public const double PerSequence = 0.001;
    public const double PerContextToken = 0.00001;
    public const double PrefillPerToken = 0.0001;
    public const double PrefillPerCachedToken = 0.00001;

    public string ModelName => "linear";

    public IReadOnlyList<int> TensorParallelDegrees { get; } = degrees.Length == 0 ? [1, 2] : degrees;

    public long KvBytesPerToken => 1000;

    public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) =>
        (Fixed + (PerSequence * batchSize) + (PerContextToken * contextTokens)) / tensorParallel;

    public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) =>
        ((PrefillPerToken * newTokens) + (PrefillPerCachedToken * newTokens * cachedTokens / 100.0)) / tensorParallel;

    public long KvCapacityTokens(int tensorParallel) => kvTokensPerGpu * tensorParallel;
}

/// <summary>Knows every trajectory's future: remaining tokens by prompt length (tests give every trajectory its own prompt length).</summary>
internal sealed class OraclePredictor(IReadOnlyList<Trajectory> trace) : IRemainingWorkPredictor
{
    private readonly Dictionary<int, Trajectory> _byPrompt = trace.ToDictionary(t => t.PromptTokens);

    public double PredictRemainingTokens(in TrajectoryProgress progress) =>
        _byPrompt[progress.PromptTokens].TotalOutputTokens - progress.GeneratedTokens;
}

internal static class RolloutTraces
{
    public static Trajectory Make(int index, int prompt, int[] outputs, int[] observations, double[] tools) =>
        new($"t{index}", $"g{index / 4}", prompt, [.. outputs], [.. observations], [.. tools], $"trace[{index}]");

    /// <summary>Small traces: 1-6 trajectories with distinct prompts (1-100 tokens), 1-4 turns of 1-50 tokens, observations 0-30, tools 0-2 s; final contexts at most 390 tokens.</summary>
    public static Gen<ImmutableArray<Trajectory>> Small() =>
        from count in Gen.Choose(1, 6)
        from prompts in Gen.Shuffle(Enumerable.Range(1, 100).ToArray())
        from shapes in Gen.ArrayOf(Shape(), count)
        select shapes.Select((s, i) => Make(i, prompts[i], s.Outputs, s.Observations, s.Tools)).ToImmutableArray();

    private static Gen<(int[] Outputs, int[] Observations, double[] Tools)> Shape() =>
        from turns in Gen.Choose(1, 4)
        from outputs in Gen.ArrayOf(Gen.Choose(1, 50), turns)
        from observations in Gen.ArrayOf(Gen.Choose(0, 30), turns - 1)
        from tools in Gen.ArrayOf(Gen.Choose(0, 200), turns - 1)
        select (outputs, observations, tools.Select(t => t / 100.0).ToArray());
}

/// <summary>A small rollout case: trace, GPUs, policy name, Heddle's mechanisms and a batch limit.</summary>
public sealed record RolloutCase(ImmutableArray<Trajectory> Trace, int Gpus, string Policy, int Mechanisms, int MaxBatch, bool InPlaceResharding = false)
{
    public override string ToString() =>
        $"{Policy}[{Mechanisms}] gpus {Gpus} batch {MaxBatch}{(InPlaceResharding ? " in-place" : string.Empty)}: " + string.Join("; ", Trace.Select(t => $"{t.PromptTokens}/{string.Join(",", t.OutputTokens)}/{string.Join(",", t.ObservationTokens)}/{string.Join(",", t.ToolSeconds)}"));
}

public static class RolloutArbitraries
{
    public static Arbitrary<RolloutCase> Cases() =>
        (from trace in RolloutTraces.Small()
         from gpus in Gen.Choose(1, 4)
         from policy in Gen.Elements("fcfs", "slime", "slime-nocache", "verl", "heddle")
         from mechanisms in Gen.Choose(0, 15)
         from batch in Gen.Choose(1, 4)
         from inPlace in Gen.Elements(false, true)
         select new RolloutCase(trace, gpus, policy, mechanisms, batch, inPlace)).ToArbitrary();
}
