using Planning.Moe;
using Planning.Moe.Reordering;
using Planning.Moe.UltraEp;

namespace Planning.Execution.Moe.Strategies;

/// <summary>
/// <c>ultraep-reorder</c>: <c>ultraep</c> (incremental, rerouting, relay sync, planner on the critical path) on a
/// master layout that <see cref="DomainReordering"/> reorders across scale-up domains between batches. UltraEP keeps
/// replicas inside a domain, so without this a hot domain stays hot.
/// </summary>
/// <remarks>
/// <para>Every <see cref="Every"/> microbatches (a batch) the masters of every layer are reordered, every scenario
/// balanced at once, from the loads of the last <see cref="Window"/> microbatches before the batch (at most the
/// previous batch); the first batch from the first microbatch's loads, the steady state of a run that reordered before,
/// as <c>eplb</c>'s first placement. With <see cref="FromReplay"/>, from the batch's own microbatches instead, known in
/// RL training from routing replay.</para>
/// <para>Each swap sends one expert's state (<see cref="BytesPerExpert"/>) each way between the two slots' ranks over
/// the inter-domain network, at the batch boundary where nothing overlaps it: the busiest rank's time is charged, fully
/// exposed, to the first microbatch of the batch (the first batch's layout is charged nothing). Replicas of swapped
/// slots no longer hold the right weights and count as not in place.</para>
/// </remarks>
/// <param name="createPlanner">Builds the planner for a run (<see cref="UltraEpPolicy"/> in the registry).</param>
/// <param name="every">Microbatches per batch (<see cref="MoeSimulationOptions.ReorderEvery"/>).</param>
/// <param name="window">Microbatches before a batch reordered from (<see cref="MoeSimulationOptions.ReorderWindow"/>).</param>
/// <param name="fromReplay">Whether the batch's own loads are known (<see cref="MoeSimulationOptions.ReorderFromReplay"/>).</param>
/// <param name="reordering">How to reorder (<see cref="MoeSimulationOptions.Reordering"/>).</param>
/// <param name="bytesPerExpert">Bytes that move with one swapped expert.</param>
internal sealed class UltraEpReorderStrategy(
    Func<IBalancingPolicy> createPlanner,
    int every,
    int window,
    bool fromReplay,
    DomainReorderingOptions reordering,
    long bytesPerExpert) : IMoeDeploymentStrategy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "ultraep-reorder";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public MoePlannerTime PlannerTime => MoePlannerTime.OnCriticalPath;

    /// <inheritdoc/>
    public bool Incremental => true;

    /// <inheritdoc/>
    public bool ReroutesTokens => true;

    /// <inheritdoc/>
    public MoeWeightSyncCharge WeightSync => MoeWeightSyncCharge.ExposedRelay;

    /// <summary>Microbatches per batch: the masters are reordered before every batch.</summary>
    public int Every { get; } = every >= 1 ? every : throw new ArgumentOutOfRangeException(nameof(every), every, "A batch holds at least one microbatch.");

    /// <summary>The last microbatches before a batch whose summed loads the reordering balances (from history).</summary>
    public int Window { get; } = window >= 1 ? window : throw new ArgumentOutOfRangeException(nameof(window), window, "The window holds at least one microbatch.");

    /// <summary>Whether the reordering balances the batch's own microbatches (routing replay) instead of history.</summary>
    public bool FromReplay { get; } = fromReplay;

    /// <summary>How the masters are reordered.</summary>
    public DomainReorderingOptions Reordering { get; } = reordering ?? throw new ArgumentNullException(nameof(reordering));

    /// <summary>Bytes that move with one swapped expert (weights, and in training its optimizer state).</summary>
    public long BytesPerExpert { get; } = bytesPerExpert >= 0 ? bytesPerExpert : throw new ArgumentOutOfRangeException(nameof(bytesPerExpert), bytesPerExpert, "Bytes are non-negative.");

    /// <inheritdoc/>
    public MoeStrategyState Start(MoeSimulationContext context) => new MasterLayoutState(context, createPlanner());

    /// <inheritdoc/>
    public LayerTokens Tokens(MoeStrategyState state, int layer, LayerTokens tokens) => Layout(state).Tokens(layer, tokens);

    /// <inheritdoc/>
    /// <remarks>Reorders at the first microbatch of every batch; returns each layer's move time (0 for microbatch 0).</remarks>
    public MoeBoundaryMoves? BeginMicrobatch(MoeStrategyState state, int microbatch)
    {
        if (microbatch % Every != 0)
        {
            return null;
        }

        var layout = Layout(state);
        var (microbatches, topology, simulator) = (state.Context.Microbatches, state.Context.Topology, state.Context.Simulator);
        var seconds = new double[state.Context.Layers];
        var bytes = 0L;
        var (from, to) = FromReplay
            ? (microbatch, Math.Min(microbatches.Count, microbatch + Every))
            : microbatch == 0 ? (0, 1) : (Math.Max(0, microbatch - Math.Min(Every, Window)), microbatch);
        for (var l = 0; l < seconds.Length; l++)
        {
            var expertAt = layout.ExpertAt(l);
            var scenarios = new List<IReadOnlyList<long>>();
            for (var h = from; h < to; h++)
            {
                var loads = microbatches[h].Layers[l].ExpertLoads;
                scenarios.Add([.. expertAt.Select(expert => loads[expert])]);
            }

            var plan = DomainReordering.Plan(topology, scenarios, Reordering);
            layout.Apply(l, plan);
            if (microbatch == 0 || plan.Swaps.IsEmpty)
            {
                continue;
            }

            // Each swap sends one expert's state each way between the two slots' ranks, over the link between them (the
            // network: swaps cross domains), timed as the all-to-all is.
            seconds[l] = simulator.ExchangeSeconds(plan.Swaps.SelectMany(swap =>
            {
                var (a, b) = (topology.ExpertMaster[swap.SlotA], topology.ExpertMaster[swap.SlotB]);
                return new[] { (a, b, BytesPerExpert), (b, a, BytesPerExpert) };
            }));
            bytes += 2L * plan.Swaps.Length * BytesPerExpert;
        }

        return new MoeBoundaryMoves([.. seconds], bytes);
    }

    private static MasterLayoutState Layout(MoeStrategyState state) =>
        state as MasterLayoutState ?? throw new ArgumentException("The state was not started by this strategy.", nameof(state));
}
