using System.Collections.Immutable;
using System.Globalization;
using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// A discrete-event simulator of one agentic-RL rollout step: every trajectory is ready at t = 0; instances of one
/// model (each at a tensor-parallel degree) run continuous batches; tool calls run off the GPU. Deterministic: events
/// at the same time run in the order they were scheduled.
/// </summary>
/// <remarks>
/// <para>An iteration of an instance decodes one token for every sequence in its batch and costs
/// <see cref="IInferenceCostModel.DecodeIterationSeconds"/> of the batch size and the sum of the contexts; a turn admitted
/// at an iteration boundary prefills its new tokens in the next iteration (adding <see cref="IInferenceCostModel.PrefillSeconds"/>),
/// which also yields its first output token; it then decodes one token per iteration. New tokens are the prompt at the first
/// turn, only the observation when the turn returns to the instance holding its KV cache (prefix reuse), and the whole
/// context when it does not (re-prefill).</para>
/// <para>KV memory: an admitted turn reserves its context at the end of the turn (so no instance ever swaps mid-turn);
/// when a turn ends its cache stays on the instance during the tool call and is evicted least recently used first when an
/// admission needs the room. A preempted turn keeps its generated tokens and its cache (as an evictable entry).</para>
/// <para>For speed an instance plans a run of iterations up to its next completion and is cut short at the first
/// boundary after an arrival it could admit.</para>
/// <para>Hardware: <see cref="RolloutSimulationOptions.Hardware"/> laid out as a cluster graph of the GPU budget; the
/// layout (<see cref="InstanceLayout"/>: instances take the GPUs in index order) is annotated on it, and the run reads
/// each instance's GPUs and their nodes from that graph. A KV migration starts with the tool call and moves over the
/// source's and the target's links (each of the network link's bandwidth), shared max-min fairly with the other
/// transfers in flight; its cache is held on both instances until it arrives, and a turn whose call returns first waits
/// for it. A regroup's reload moves at the PCIe link's bandwidth.</para>
/// <para>Regrouping (<see cref="IRolloutPolicy.Regroup"/>, asked every <see cref="IRolloutPolicy.RegroupIntervalSeconds"/>):
/// idle instances of one node give their GPUs to another instance of that node, which takes the summed degree and its
/// KV capacity at its next iteration boundary, after the stall of <see cref="RolloutSimulationOptions.TensorParallelChange"/>:
/// a stock engine's restart (its caches dropped, its running turns prefilled again) or, in place,
/// <c>(weights + its resident KV) / (new degree × reload bandwidth)</c>.</para>
/// <para>Policies never see the future: a tool call's duration is not given to them, and <see cref="IRolloutState"/>
/// shows prompts and progress, a whole trajectory only once finished.</para>
/// <para>The run's parts: the event loop and turn cycle (<c>RolloutRun</c>), one state per trajectory
/// (<c>TrajectoryState</c>), queues and batch admission (<c>BatchAdmission</c>), the KV ledger (<c>KvLedger</c>),
/// regrouping (<c>InstanceRegrouping</c>) and the recorder of counters and timelines (<c>RolloutRecorder</c>).</para>
/// </remarks>
public sealed class RolloutSimulator
{
    private readonly IInferenceCostModel _cost;
    private readonly RolloutSimulationOptions _options;

    /// <summary>Creates a simulator.</summary>
    /// <param name="cost">The cost model of the instances.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    public RolloutSimulator(IInferenceCostModel cost, RolloutSimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        _cost = cost;
        _options = (options ?? RolloutSimulationOptions.Default).Validate();
    }

    /// <summary>Simulates one rollout step of <paramref name="trace"/> on <paramref name="gpus"/> GPUs under <paramref name="policy"/>.</summary>
    /// <param name="trace">The trajectories (non-empty, unique ids).</param>
    /// <param name="gpus">The GPU budget (at least the degree of one instance).</param>
    /// <param name="policy">The orchestration policy (fresh: policies keep state).</param>
    /// <returns>The result.</returns>
    /// <exception cref="PlanningInputException">The trace is empty, a trajectory cannot fit any instance's KV cache, or the budget is too small.</exception>
    public RolloutSimulationResult Simulate(IReadOnlyList<Trajectory> trace, int gpus, IRolloutPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(policy);
        ValidateTrace(trace);
        if (gpus < 1)
        {
            throw new PlanningInputException("gpus", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {gpus}"));
        }

        if (_options.MaxContextTokens > 0)
        {
            // The rollout's configured maximum context bounds every trajectory, as an engine's max_model_len does.
            for (var i = 0; i < trace.Count; i++)
            {
                if (trace[i].FinalContextTokens > _options.MaxContextTokens)
                {
                    throw new PlanningInputException(
                        Invariant($"trace[{i}]"),
                        Invariant($"final context of {trace[i].FinalContextTokens} tokens exceeds the rollout's maximum context of {_options.MaxContextTokens} tokens (maxContextTokens)"));
                }
            }
        }

        var degrees = policy.ChooseDegrees(trace, gpus, _cost, _options);
        ValidateLayout(trace, gpus, degrees);

        // The hardware laid out once per simulation at the budget, and the layout annotated on it: the run reads each
        // instance's GPUs (and their nodes) from that graph, as an adapter would.
        var cluster = _options.Hardware.Build(gpus);
        var plan = new InstanceLayout(degrees).Annotate(cluster);
        var run = new RolloutRun(trace, _cost, _options, cluster, plan, policy);
        return run.Execute(gpus);
    }

    /// <summary>Rejects an empty trace or duplicate ids.</summary>
    internal static void ValidateTrace(IReadOnlyList<Trajectory> trace)
    {
        if (trace.Count == 0)
        {
            throw new PlanningInputException("trace", "must hold at least one trajectory, got none");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < trace.Count; i++)
        {
            if (trace[i] is null)
            {
                throw new PlanningInputException(Invariant($"trace[{i}]"), "must be a trajectory, got null");
            }

            if (!ids.Add(trace[i].Id))
            {
                throw new PlanningInputException(Invariant($"trace[{i}].id"), $"must be unique, got \"{trace[i].Id}\" twice");
            }
        }
    }

    private void ValidateLayout(IReadOnlyList<Trajectory> trace, int gpus, ImmutableArray<int> degrees)
    {
        if (degrees.IsDefaultOrEmpty)
        {
            throw new PlanningInputException("gpus", Invariant($"{gpus} GPU(s) hold no instance of {_cost.ModelName} (degrees {string.Join(", ", _cost.TensorParallelDegrees)})"));
        }

        if (degrees.Sum() > gpus)
        {
            throw new PlanningInputException("gpus", Invariant($"the layout {string.Join("+", degrees)} needs {degrees.Sum()} GPUs, more than the {gpus} given"));
        }

        var smallest = degrees.Min(d => _cost.KvCapacityTokens(d));
        for (var i = 0; i < trace.Count; i++)
        {
            if (trace[i].FinalContextTokens > smallest)
            {
                throw new PlanningInputException(
                    Invariant($"trace[{i}]"),
                    Invariant($"final context of {trace[i].FinalContextTokens} tokens exceeds the KV capacity of {smallest} tokens of the smallest instance (TP{degrees.Min()}) of {_cost.ModelName}"));
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
