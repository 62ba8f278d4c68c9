using System.Globalization;

namespace Planning.Execution.Soc;

/// <summary>What a request to an on-device agent is for, which decides what the scheduler optimises for it.</summary>
public enum SocRequestKind
{
    /// <summary><c>reactive</c>: a person waits for it; judged by latency (arrival to last output token).</summary>
    Reactive,

    /// <summary><c>proactive</c>: background work the agent starts itself; judged by throughput.</summary>
    Proactive,
}

/// <summary>
/// One request of a SoC serving workload (a line of <c>REQUESTS.jsonl</c>, see <see cref="SocWorkloadJson"/>): when it
/// arrives, whether a person waits for it, and how many prompt tokens it prefills and output tokens it decodes.
/// </summary>
/// <param name="Id">A non-empty identifier, unique in a workload.</param>
/// <param name="ArrivalMs">When it arrives, in milliseconds from the start of the workload (finite, at least 0).</param>
/// <param name="Kind">Reactive or proactive.</param>
/// <param name="PromptTokens">Prompt tokens to prefill (at least 1).</param>
/// <param name="OutputTokens">Output tokens to decode (at least 1; the first comes with the last prefill kernel).</param>
public sealed record SocRequest(string Id, double ArrivalMs, SocRequestKind Kind, int PromptTokens, int OutputTokens)
{
    /// <summary>The largest prompt or output a request may ask for: the context of the models served here (128 K tokens).</summary>
    public const int MaxTokens = 131_072;

    /// <summary>The command-line and JSON name of a kind: <c>reactive</c> or <c>proactive</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined kind.</exception>
    public static string KindName(SocRequestKind kind) => kind switch
    {
        SocRequestKind.Reactive => "reactive",
        SocRequestKind.Proactive => "proactive",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined request kind"),
    };

    /// <summary>Checks the request; errors name <paramref name="field"/> and the bad member.</summary>
    /// <param name="field">How errors name this request, such as <c>requests[3]</c>.</param>
    /// <returns>This request.</returns>
    /// <exception cref="PlanningInputException">A member is out of range.</exception>
    public SocRequest Validate(string field = "request")
    {
        if (string.IsNullOrEmpty(Id))
        {
            throw new PlanningInputException(field + ".id", "must be a non-empty string");
        }

        if (!double.IsFinite(ArrivalMs) || ArrivalMs < 0)
        {
            throw new PlanningInputException(field + ".arrivalMs", Invariant($"must be a finite number at least 0, got {ArrivalMs}"));
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new PlanningInputException(field + ".kind", Invariant($"must be reactive or proactive, got {(int)Kind}"));
        }

        if (PromptTokens is < 1 or > MaxTokens)
        {
            throw new PlanningInputException(field + ".promptTokens", Invariant($"must be an integer from 1 to {MaxTokens}, got {PromptTokens}"));
        }

        if (OutputTokens is < 1 or > MaxTokens)
        {
            throw new PlanningInputException(field + ".outputTokens", Invariant($"must be an integer from 1 to {MaxTokens}, got {OutputTokens}"));
        }

        return this;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
