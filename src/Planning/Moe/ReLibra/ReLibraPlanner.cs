using System.Collections.Immutable;
using System.Globalization;
using Planning.Moe.UltraEp;

namespace Planning.Moe.ReLibra;

/// <summary>ReLibra's two time scales' options: the inter-batch reordering's and the intra-batch replication's.</summary>
public sealed record ReLibraOptions
{
    /// <summary>The defaults.</summary>
    public static ReLibraOptions Default { get; } = new();

    /// <summary>The reordering across nodes between batches.</summary>
    public ExpertReorderingOptions Reordering { get; init; } = ExpertReorderingOptions.Default;

    /// <summary>The replication inside a node per microbatch and layer (UltraEP's quota planner).</summary>
    public UltraEpOptions Replication { get; init; } = UltraEpOptions.Default;

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    public ReLibraOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Reordering);
        ArgumentNullException.ThrowIfNull(Replication);
        Reordering.Validate();
        Replication.Validate();
        return this;
    }
}

/// <summary>
/// ReLibra's plan for one batch: per layer, the reordering of experts across nodes (the layout the batch runs on), and
/// per microbatch and layer, the replicas inside each node (<see cref="LayerPlan"/>s whose experts are master
/// <em>slots</em>: slot <c>s</c> holds expert <c>Reorders[layer].SlotExpert[s]</c>).
/// </summary>
/// <param name="Batch">The batch planned.</param>
/// <param name="Reorders">Per layer, the reordering.</param>
/// <param name="Replicas">Per microbatch of the batch, per layer, the replication inside the nodes.</param>
/// <param name="Topology">The topology the replication planned on: the replay's ranks with the node as the scale-up domain, slots as experts.</param>
public sealed record ReLibraPlan(int Batch, ImmutableArray<ExpertReorderPlan> Reorders, ImmutableArray<ImmutableArray<LayerPlan>> Replicas, MoeTopology Topology);

/// <summary>
/// ReLibra as a planner a training system calls before a batch: from the batch's routing replay it reorders every
/// layer's experts across nodes (<see cref="ExpertReordering"/>, slow inter-node links, once per batch), then, for every
/// microbatch and layer, replicates hot experts inside their node with UltraEP's quota planner with the node as the
/// domain (fast NVLink), rerouting tokens to the replicas. Deterministic for the options' seed.
/// </summary>
public static class ReLibraPlanner
{
    /// <summary>The topology ReLibra replicates on: the case's ranks and slots, with each node as its own scale-up domain.</summary>
    /// <param name="shape">A case of the replay (its shape).</param>
    /// <returns>The topology; its experts are master slots.</returns>
    public static MoeTopology NodeTopology(MoeCase shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return MoeTopology.From(SlotCase(shape, shape.Layers, null));
    }

    /// <summary>A layer's routing with its columns in slot order: column <c>s</c> is expert <c>slotExpert[s]</c>'s.</summary>
    /// <param name="tokens">The layer's routing by expert.</param>
    /// <param name="slotExpert">The expert in each master slot; <see langword="null"/> for the identity.</param>
    /// <returns>The routing by slot.</returns>
    public static LayerTokens BySlot(LayerTokens tokens, IReadOnlyList<int>? slotExpert)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (slotExpert is null)
        {
            return tokens;
        }

        if (slotExpert.Count != tokens.Experts)
        {
            throw new PlanningInputException("slotExpert", string.Create(CultureInfo.InvariantCulture, $"must have one expert per slot ({tokens.Experts}), got {slotExpert.Count}"));
        }

        var rows = new int[tokens.SourceRanks][];
        for (var r = 0; r < rows.Length; r++)
        {
            var row = tokens.Row(r);
            rows[r] = new int[tokens.Experts];
            for (var s = 0; s < tokens.Experts; s++)
            {
                rows[r][s] = row[slotExpert[s]];
            }
        }

        return new LayerTokens(rows);
    }

    /// <summary>Plans one batch.</summary>
    /// <param name="replay">The routing replay.</param>
    /// <param name="batch">The batch to plan.</param>
    /// <param name="currentLayouts">Per layer, the expert in each master slot now; <see langword="null"/> for the identity in every layer.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops CP-SAT; the heuristic's layouts are kept.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="PlanningInputException">The batch is out of range, or a layout does not match the replay.</exception>
    public static ReLibraPlan Plan(
        RoutingReplay replay,
        int batch,
        IReadOnlyList<IReadOnlyList<int>>? currentLayouts = null,
        ReLibraOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replay);
        options = (options ?? ReLibraOptions.Default).Validate();
        if (currentLayouts is not null && currentLayouts.Count != replay.Layers)
        {
            throw new PlanningInputException("currentLayouts", string.Create(CultureInfo.InvariantCulture, $"must have one layout per layer ({replay.Layers}), got {currentLayouts.Count}"));
        }

        var reorders = ImmutableArray.CreateBuilder<ExpertReorderPlan>(replay.Layers);
        for (var l = 0; l < replay.Layers; l++)
        {
            reorders.Add(ExpertReordering.PlanBatch(replay, batch, l, currentLayouts?[l], options.Reordering, cancellationToken));
        }

        var layouts = reorders.Select(r => (IReadOnlyList<int>)r.SlotExpert).ToArray();
        var topology = NodeTopology(replay.Shape);
        var policy = new UltraEpPolicy(options.Replication);
        var timing = new BalanceTimingOptions { TimedSolves = 1, WarmupSolves = 0, WarmupDuration = TimeSpan.Zero };
        var replicas = ImmutableArray.CreateBuilder<ImmutableArray<LayerPlan>>();
        foreach (var microbatch in replay.Batches[batch])
        {
            var slotCase = SlotCase(microbatch.Case, microbatch.Case.Layers, layouts);
            replicas.Add(MoeBalancer.Balance(slotCase, policy, timing: timing, cancellationToken: cancellationToken).Layers);
        }

        return new ReLibraPlan(batch, reorders.MoveToImmutable(), replicas.ToImmutable(), topology);
    }

    /// <summary>A case in slot order with the node as the domain (the replication's input).</summary>
    /// <param name="moeCase">The case.</param>
    /// <param name="layers">Its layers.</param>
    /// <param name="layouts">Per layer, the expert in each slot; <see langword="null"/> for the identity.</param>
    /// <returns>The slot case.</returns>
    internal static MoeCase SlotCase(MoeCase moeCase, ImmutableArray<LayerTokens> layers, IReadOnlyList<IReadOnlyList<int>>? layouts) =>
        MoeCase.Create(
            moeCase.Ranks,
            moeCase.RanksPerNode,
            moeCase.RanksPerNode,
            moeCase.ExpertsPerRank,
            moeCase.RedundantSlotsPerRank,
            null,
            layers.Select((layer, l) => BySlot(layer, layouts?[l])));
}
