using System.Collections.Immutable;
using Planning.Graph;

namespace Planning.Execution.Moe;

/// <summary>One policy's figures over a simulated workload. Immutable.</summary>
/// <param name="Policy">The policy's name (<c>none</c>, <c>eplb</c>, <c>eplb-oracle</c>, <c>ultraep</c>, <c>ultraep-reorder</c>, <c>ideal</c>).</param>
/// <param name="MeanStepSeconds">The mean step time over the microbatches (a step is every MoE layer of one microbatch).</param>
/// <param name="TokensPerSecond">Throughput: tokens per step (not token-expert assignments) / <see cref="MeanStepSeconds"/>.</param>
/// <param name="RatioToIdeal">The ideal's mean step time / this policy's: its throughput as a fraction of the force-balanced ideal's (the ideal of the policies that ran).</param>
/// <param name="RatioToNone">The <c>none</c> policy's mean step time / this policy's: its speed-up over no balancing.</param>
/// <param name="MeanImbalance">The mean over microbatches and layers of the plan's final imbalance (max / mean rank load).</param>
/// <param name="BytesSynced">All weight bytes copied to new replicas over the workload (whether or not on the critical path).</param>
/// <param name="MeanReplicas">The mean number of replicas per layer.</param>
/// <param name="MeanTime">The mean time per step, by part.</param>
/// <param name="StepSeconds">Each microbatch's step time, in order.</param>
/// <param name="SampleRankLoads">The per-rank compute load of layer 0 of the last microbatch (the ideal's: the mean on every rank), for plots.</param>
public sealed record MoePolicyOutcome(
    string Policy,
    double MeanStepSeconds,
    double TokensPerSecond,
    double RatioToIdeal,
    double RatioToNone,
    double MeanImbalance,
    long BytesSynced,
    double MeanReplicas,
    MoeLayerTime MeanTime,
    ImmutableArray<double> StepSeconds,
    ImmutableArray<double> SampleRankLoads);

/// <summary>
/// What <see cref="MoeWorkloadSimulation"/> measured: the setting, every requested policy's figures, and those of the
/// two references (<c>none</c> and <c>ideal</c>), which run whether or not they were requested. Immutable.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Hardware">The hardware the cluster was laid out from.</param>
/// <param name="Phase">What a step runs.</param>
/// <param name="Ranks">The expert-parallel degree.</param>
/// <param name="RanksPerNode">Ranks per node.</param>
/// <param name="RanksPerDomain">Ranks per scale-up domain.</param>
/// <param name="ExpertsPerRank">Master experts per rank.</param>
/// <param name="RedundantSlotsPerRank">Redundant slots per rank.</param>
/// <param name="Microbatches">The number of microbatches.</param>
/// <param name="Layers">MoE layers per microbatch.</param>
/// <param name="TokensPerStep">Tokens per step: the routed token-expert assignments of a layer / top-k.</param>
/// <param name="InitialImbalance">The mean over microbatches and layers of the imbalance without balancing (<c>none</c>).</param>
/// <param name="Policies">The requested policies' figures, in the order requested.</param>
/// <param name="None">The <c>none</c> policy's figures (the reference of <see cref="MoePolicyOutcome.RatioToNone"/>; always run).</param>
/// <param name="Ideal">The ideal's figures (the reference of <see cref="MoePolicyOutcome.RatioToIdeal"/>; always run, against the policies that ran).</param>
/// <param name="PlannerSecondsPerLayer">
/// The UltraEP planner time charged to every layer of the policies that plan on the critical path (<c>ultraep</c>,
/// <c>ultraep-reorder</c>); 0 when the time is measured and neither ran.
/// </param>
/// <param name="PlannerTimeMeasured">Whether <see cref="PlannerSecondsPerLayer"/> was measured (else fixed by the options, or nothing planned on the critical path).</param>
/// <param name="PlannerP99SecondsPerLayer">The 99th percentile of the measured solves (equal to the fixed time when fixed).</param>
/// <param name="IdealAllToAllFromPlans">
/// Layers (microbatch x layer) where a policy's plan moved its tokens faster than the uniform spread (by keeping more
/// of them local), so that the ideal took that all-to-all instead; 0 in the usual case. Only the policies that ran count.
/// </param>
public sealed record MoeSimulationResult(
    MoeModelConfig Model,
    HardwareSpec Hardware,
    MoeStepPhase Phase,
    int Ranks,
    int RanksPerNode,
    int RanksPerDomain,
    int ExpertsPerRank,
    int RedundantSlotsPerRank,
    int Microbatches,
    int Layers,
    double TokensPerStep,
    double InitialImbalance,
    ImmutableArray<MoePolicyOutcome> Policies,
    MoePolicyOutcome None,
    MoePolicyOutcome Ideal,
    double PlannerSecondsPerLayer,
    bool PlannerTimeMeasured,
    double PlannerP99SecondsPerLayer,
    int IdealAllToAllFromPlans)
{
    /// <summary>A requested policy's figures by name.</summary>
    /// <param name="policy">The policy's name.</param>
    /// <returns>Its figures.</returns>
    /// <exception cref="KeyNotFoundException">The policy was not requested.</exception>
    public MoePolicyOutcome this[string policy] =>
        Policies.FirstOrDefault(p => p.Policy == policy) ?? throw new KeyNotFoundException($"The policy \"{policy}\" was not simulated.");
}
