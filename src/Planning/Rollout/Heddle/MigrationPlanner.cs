namespace Planning.Rollout;

/// <summary>Options of <see cref="MigrationPlanner"/>.</summary>
public sealed record MigrationOptions
{
    /// <summary>
    /// KV-cache transfer bandwidth between two instances, bytes per second. Default 25e9: one 200 Gb/s InfiniBand NDR
    /// link per GPU pair with GPUDirect RDMA (inter-node); intra-node NVLink would be an order of magnitude faster.
    /// </summary>
    public double TransferBytesPerSecond { get; init; } = 25e9;

    /// <summary>A fixed cost per transfer (connection setup, page-table updates), seconds. Default 0.005.</summary>
    public double TransferLatencySeconds { get; init; } = 0.005;

    /// <summary>
    /// Migration is considered only when the source is predicted to finish later than the least-loaded instance by more
    /// than this fraction of the source's finish time (default 0.1): small imbalances are prediction noise.
    /// </summary>
    public double ImbalanceThreshold { get; init; } = 0.1;

    /// <summary>Checks the options.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A value is out of range.</exception>
    public MigrationOptions Validate()
    {
        if (!double.IsFinite(TransferBytesPerSecond) || TransferBytesPerSecond <= 0)
        {
            throw new PlanningInputException("transferBytesPerSecond", $"must be a positive finite number, got {TransferBytesPerSecond}");
        }

        if (!double.IsFinite(TransferLatencySeconds) || TransferLatencySeconds < 0)
        {
            throw new PlanningInputException("transferLatencySeconds", $"must be a finite number at least 0, got {TransferLatencySeconds}");
        }

        if (!double.IsFinite(ImbalanceThreshold) || ImbalanceThreshold < 0)
        {
            throw new PlanningInputException("imbalanceThreshold", $"must be a finite number at least 0, got {ImbalanceThreshold}");
        }

        return this;
    }
}

/// <summary>The situation of a trajectory that has just entered a tool call.</summary>
/// <param name="SourceInstance">The instance holding its KV cache.</param>
/// <param name="InstanceFinishSeconds">Each instance's predicted finish time (or remaining load in seconds), including this trajectory on the source.</param>
/// <param name="InstanceTensorParallel">Each instance's tensor-parallel degree (for the re-prefill cost on the target).</param>
/// <param name="ContextTokens">Its context, the KV tokens a transfer moves or a re-prefill recomputes.</param>
/// <param name="ToolSeconds">The tool call's (known or predicted) duration: a transfer shorter than it is hidden.</param>
/// <param name="RemainingSeconds">Its predicted remaining GPU seconds, the load that moves with it.</param>
/// <param name="InstanceFreeKvTokens">Each instance's free KV tokens, or null to ignore capacity.</param>
internal sealed record MigrationRequest(
    int SourceInstance,
    IReadOnlyList<double> InstanceFinishSeconds,
    IReadOnlyList<int> InstanceTensorParallel,
    long ContextTokens,
    double ToolSeconds,
    double RemainingSeconds,
    IReadOnlyList<long>? InstanceFreeKvTokens = null);

/// <summary>
/// Heddle's opportunistic migration, a pure decision. When a trajectory enters a tool call on a source instance that is
/// predicted to finish well after the least-loaded one (<see cref="MigrationOptions.ImbalanceThreshold"/>), moving its
/// remaining work r there changes the later finish of the pair from max(Fs, Ft) to max(Fs - r, Ft + r + extra).
/// Migrate the KV cache when the transfer (context x <see cref="IInferenceCostModel.KvBytesPerToken"/> over
/// <see cref="MigrationOptions.TransferBytesPerSecond"/>, plus latency) fits inside the tool call, so it costs the
/// trajectory nothing (extra = 0), and the move gains; otherwise re-prefill the context on the target when the gain
/// without prefill exceeds the prefill time (extra = prefill); otherwise stay. Never moves to an instance predicted to
/// finish later than the source, nor to one without free KV for the context.
/// </summary>
internal sealed class MigrationPlanner
{
    /// <summary>Creates the planner.</summary>
    /// <param name="cost">The cost model (KV bytes per token, prefill time).</param>
    /// <param name="options">Bandwidth and thresholds; null for the defaults.</param>
    public MigrationPlanner(IInferenceCostModel cost, MigrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        Cost = cost;
        Options = (options ?? new MigrationOptions()).Validate();
    }

    /// <summary>The cost model.</summary>
    public IInferenceCostModel Cost { get; }

    /// <summary>The options.</summary>
    public MigrationOptions Options { get; }

    /// <summary>Seconds to transfer the KV cache of <paramref name="contextTokens"/> tokens.</summary>
    /// <param name="contextTokens">Tokens of context.</param>
    /// <returns>Latency plus bytes over bandwidth.</returns>
    public double TransferSeconds(long contextTokens) =>
        Options.TransferLatencySeconds + (contextTokens * (double)Cost.KvBytesPerToken / Options.TransferBytesPerSecond);

    /// <summary>Decides what to do with the trajectory of <paramref name="request"/>.</summary>
    /// <param name="request">The situation.</param>
    /// <returns>Stay, migrate its KV, or re-prefill on a target.</returns>
    /// <exception cref="PlanningInputException">The request is inconsistent or has a negative or non-finite value.</exception>
    public MigrationDecision Decide(MigrationRequest request)
    {
        Validate(request);
        var source = request.SourceInstance;
        var stay = new MigrationDecision(MigrationKind.Stay, source, 0, 0, 0);
        var finish = request.InstanceFinishSeconds;
        var target = -1;
        for (var i = 0; i < finish.Count; i++)
        {
            var fits = request.InstanceFreeKvTokens is null || request.InstanceFreeKvTokens[i] >= request.ContextTokens;
            if (i != source && fits && (target < 0 || finish[i] < finish[target]))
            {
                target = i;
            }
        }

        if (target < 0)
        {
            return stay;
        }

        var sourceFinish = finish[source];
        var targetFinish = finish[target];
        if (sourceFinish - targetFinish <= Options.ImbalanceThreshold * sourceFinish || targetFinish >= sourceFinish)
        {
            return stay;
        }

        var before = Math.Max(sourceFinish, targetFinish);
        var r = request.RemainingSeconds;
        var gain = before - Math.Max(sourceFinish - r, targetFinish + r);
        var transfer = TransferSeconds(request.ContextTokens);
        if (transfer <= request.ToolSeconds)
        {
            return gain > 0 ? new MigrationDecision(MigrationKind.MigrateKv, target, transfer, 0, gain) : stay;
        }

        var prefill = request.ContextTokens > 0
            ? Cost.PrefillSeconds(request.ContextTokens, 0, request.InstanceTensorParallel[target])
            : 0;
        if (gain > prefill)
        {
            var gainAfterPrefill = before - Math.Max(sourceFinish - r, targetFinish + r + prefill);
            return new MigrationDecision(MigrationKind.Reprefill, target, 0, prefill, gainAfterPrefill);
        }

        return stay;
    }

    private static void Validate(MigrationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var finish = request.InstanceFinishSeconds ?? throw new PlanningInputException("instanceFinishSeconds", "must not be null");
        if (request.InstanceTensorParallel is null || request.InstanceTensorParallel.Count != finish.Count)
        {
            throw new PlanningInputException(
                "instanceTensorParallel", $"must have one degree per instance ({finish.Count}), got {request.InstanceTensorParallel?.Count}");
        }

        if (request.InstanceFreeKvTokens is not null && request.InstanceFreeKvTokens.Count != finish.Count)
        {
            throw new PlanningInputException(
                "instanceFreeKvTokens", $"must have one entry per instance ({finish.Count}), got {request.InstanceFreeKvTokens.Count}");
        }

        if (request.SourceInstance < 0 || request.SourceInstance >= finish.Count)
        {
            throw new PlanningInputException("sourceInstance", $"must be an instance index below {finish.Count}, got {request.SourceInstance}");
        }

        for (var i = 0; i < finish.Count; i++)
        {
            if (!double.IsFinite(finish[i]) || finish[i] < 0)
            {
                throw new PlanningInputException($"instanceFinishSeconds[{i}]", $"must be a finite number at least 0, got {finish[i]}");
            }
        }

        if (request.ContextTokens < 0)
        {
            throw new PlanningInputException("contextTokens", $"must be at least 0, got {request.ContextTokens}");
        }

        if (!double.IsFinite(request.ToolSeconds) || request.ToolSeconds < 0)
        {
            throw new PlanningInputException("toolSeconds", $"must be a finite number at least 0, got {request.ToolSeconds}");
        }

        if (!double.IsFinite(request.RemainingSeconds) || request.RemainingSeconds < 0)
        {
            throw new PlanningInputException("remainingSeconds", $"must be a finite number at least 0, got {request.RemainingSeconds}");
        }
    }
}
