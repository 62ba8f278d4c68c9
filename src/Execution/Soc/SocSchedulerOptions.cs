using System.Collections.Immutable;
using System.Globalization;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>The scheduling policies of <see cref="SocScheduler"/>.</summary>
public enum SocPolicy
{
    /// <summary>
    /// <c>agentxpu</c>: Agent.xpu's online policy on the NPU and the iGPU: reactive kernels first at kernel boundaries
    /// (wait-then-execute), reactive-first decode batching with a cap on proactive riders, slack-aware backfill of
    /// proactive kernels, memory-pressure thresholds for dispatch, and an age limit.
    /// </summary>
    AgentXpu,

    /// <summary><c>llamacpp</c>: llama.cpp's server on the CPU: continuous batching over slots, first come first served.</summary>
    LlamaCpp,

    /// <summary><c>openvino</c>: OpenVINO GenAI's continuous-batching pipeline on the iGPU, first come first served, with dynamic split-fuse.</summary>
    OpenVino,

    /// <summary><c>serial</c>: one request at a time, first come first served: prefill on the NPU (each kernel on the lane the offline mapping gives it), decode on the iGPU.</summary>
    Serial,
}

/// <summary>
/// How <see cref="SocScheduler"/> schedules: the policy and its settings. <see cref="For(SocPolicy)"/> gives each
/// policy its best settings (docs/benchmarks.md records the sweep that chose them).
/// </summary>
public sealed record SocSchedulerOptions
{
    /// <summary>The policies by name, as the command line spells them, in the order of <see cref="SocPolicy"/>.</summary>
    public static ImmutableArray<string> PolicyNames { get; } = ["agentxpu", "llamacpp", "openvino", "serial"];

    /// <summary>The policy. Default <see cref="SocPolicy.AgentXpu"/>.</summary>
    public SocPolicy Policy { get; init; } = SocPolicy.AgentXpu;

    /// <summary>agentxpu: the most proactive requests a decode batch holding a reactive request may carry. Default 3 (Agent.xpu's cap).</summary>
    public int MaxProactivePerReactiveBatch { get; init; } = 3;

    /// <summary>agentxpu: the most requests in one decode step, at most <see cref="SocCostModel.MaxBatch"/>. Default 16.</summary>
    public int MaxDecodeBatch { get; init; } = 16;

    /// <summary>
    /// agentxpu: below this DRAM pressure (the running kernels' uncontended bandwidth demand over the DRAM's bandwidth)
    /// any proactive kernel may be dispatched. Default 0.4.
    /// </summary>
    public double LowPressure { get; init; } = 0.4;

    /// <summary>
    /// agentxpu: from <see cref="LowPressure"/> up to this pressure only compute-bound proactive kernels are dispatched;
    /// above it, only compute-bound ones whose own demand still fits in the DRAM's bandwidth. Default 0.7.
    /// </summary>
    public double HighPressure { get; init; } = 0.7;

    /// <summary>
    /// agentxpu: a proactive request that has waited this long since it arrived or last made progress is aged: its next
    /// kernel goes ahead of reactive work and past the thresholds, so background work cannot starve. Default 4000 ms.
    /// </summary>
    public double AgeLimitMs { get; init; } = 4000;

    /// <summary>
    /// agentxpu: ask the executor to abort a running proactive kernel (<see cref="SocAbort"/>) when a ready reactive
    /// kernel can only run on its lane, instead of waiting for it to end. The simulator never needs it (kernels are
    /// under 100 ms and Agent.xpu waits); a real executor may. Default false.
    /// </summary>
    public bool AbortProactiveForReactive { get; init; }

    /// <summary>
    /// llamacpp and openvino: the most tokens one continuous-batching iteration processes, decode tokens and prompt
    /// tokens together (OpenVINO's <c>max_num_batched_tokens</c>, llama.cpp's logical batch <c>-b</c>). Default 2048.
    /// </summary>
    public int MaxBatchedTokens { get; init; } = 2048;

    /// <summary>
    /// llamacpp and openvino: the most requests admitted at once (llama.cpp's slots, <c>--parallel</c>; OpenVINO's
    /// <c>max_num_seqs</c>); later ones queue first come first served. Default 4.
    /// </summary>
    public int MaxSequences { get; init; } = 4;

    /// <summary>The best settings of a policy, as the benchmark's sweep found them.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public static SocSchedulerOptions For(SocPolicy policy) => policy switch
    {
        SocPolicy.AgentXpu => new SocSchedulerOptions { Policy = policy },
        // The settings of the sweep in docs/benchmarks.md with the lowest reactive p50 in most of its cells.
        SocPolicy.LlamaCpp => new SocSchedulerOptions { Policy = policy, MaxBatchedTokens = 256, MaxSequences = 4 },
        SocPolicy.OpenVino => new SocSchedulerOptions { Policy = policy, MaxBatchedTokens = 256, MaxSequences = 256 },
        SocPolicy.Serial => new SocSchedulerOptions { Policy = policy },
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not a defined SoC policy"),
    };

    /// <summary>The best settings of a policy named on the command line.</summary>
    /// <param name="name">The name: <c>agentxpu</c>, <c>llamacpp</c>, <c>openvino</c> or <c>serial</c>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <c>policy</c>).</exception>
    public static SocSchedulerOptions For(string? name) => For(ParsePolicy(name));

    /// <summary>Looks a policy up by its command-line name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="PlanningInputException">The name is unknown (field <c>policy</c>).</exception>
    public static SocPolicy ParsePolicy(string? name)
    {
        var index = name is null ? -1 : PolicyNames.IndexOf(name);
        return index >= 0
            ? (SocPolicy)index
            : throw new PlanningInputException("policy", $"must be one of {string.Join(", ", PolicyNames)}, got \"{name}\"");
    }

    /// <summary>The command-line name of a policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>Its name, such as <c>agentxpu</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public static string PolicyName(SocPolicy policy) =>
        Enum.IsDefined(policy) ? PolicyNames[(int)policy] : throw new ArgumentOutOfRangeException(nameof(policy), policy, "not a defined SoC policy");

    /// <summary>The settings that matter for the policy, as docs and reports print them.</summary>
    /// <returns>Such as <c>maxBatchedTokens=2048 maxSequences=4</c>.</returns>
    public string DescribeSettings() => Policy switch
    {
        SocPolicy.AgentXpu => Invariant($"maxProactivePerReactiveBatch={MaxProactivePerReactiveBatch} maxDecodeBatch={MaxDecodeBatch} pressure={LowPressure}/{HighPressure} ageLimitMs={AgeLimitMs}"),
        SocPolicy.LlamaCpp or SocPolicy.OpenVino => Invariant($"maxBatchedTokens={MaxBatchedTokens} maxSequences={MaxSequences}"),
        _ => "one request at a time",
    };

    /// <summary>Checks the settings; errors name the field.</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public SocSchedulerOptions Validate()
    {
        if (!Enum.IsDefined(Policy))
        {
            throw new PlanningInputException("policy", Invariant($"must be one of {string.Join(", ", PolicyNames)}, got {(int)Policy}"));
        }

        if (MaxProactivePerReactiveBatch < 0)
        {
            throw new PlanningInputException("maxProactivePerReactiveBatch", Invariant($"must be at least 0, got {MaxProactivePerReactiveBatch}"));
        }

        if (MaxDecodeBatch is < 1 or > SocCostModel.MaxBatch)
        {
            throw new PlanningInputException("maxDecodeBatch", Invariant($"must be from 1 to {SocCostModel.MaxBatch} (the cost model's largest decode batch), got {MaxDecodeBatch}"));
        }

        if (!double.IsFinite(LowPressure) || LowPressure < 0 || LowPressure > 1)
        {
            throw new PlanningInputException("lowPressure", Invariant($"must be from 0 to 1, got {LowPressure}"));
        }

        if (!double.IsFinite(HighPressure) || HighPressure < LowPressure || HighPressure > 1)
        {
            throw new PlanningInputException("highPressure", Invariant($"must be from lowPressure ({LowPressure}) to 1, got {HighPressure}"));
        }

        if (double.IsNaN(AgeLimitMs) || AgeLimitMs <= 0)
        {
            throw new PlanningInputException("ageLimitMs", Invariant($"must be more than 0 (infinity turns ageing off), got {AgeLimitMs}"));
        }

        if (MaxBatchedTokens < 1)
        {
            throw new PlanningInputException("maxBatchedTokens", Invariant($"must be at least 1, got {MaxBatchedTokens}"));
        }

        if (MaxSequences < 1)
        {
            throw new PlanningInputException("maxSequences", Invariant($"must be at least 1, got {MaxSequences}"));
        }

        return this;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
