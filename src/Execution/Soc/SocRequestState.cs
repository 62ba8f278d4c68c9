namespace Planning.Execution.Soc;

/// <summary>
/// What the scheduler knows of one arrived request: its output tokens so far, the job that holds it (its prefill, or
/// a decode step it rides in), and when it last made progress (for the age limit).
/// </summary>
internal sealed class SocRequestState(SocRequest request, double arrivalMs)
{
    public SocRequest Request { get; } = request;

    /// <summary>Output tokens produced (the first comes with the end of prefill).</summary>
    public int Generated { get; set; }

    /// <summary>Whether its prefill has finished.</summary>
    public bool Prefilled { get; set; }

    /// <summary>The job that holds it now (its prefill, or the decode step it is in); null while it waits for a decode step.</summary>
    public SocJob? Job { get; set; }

    /// <summary>When it arrived or last made progress (a kernel of its job finished).</summary>
    public double LastProgressMs { get; set; } = arrivalMs;

    /// <summary>When its first output token came; NaN before.</summary>
    public double FirstTokenMs { get; set; } = double.NaN;

    public string Id => Request.Id;

    public bool IsReactive => Request.Kind == SocRequestKind.Reactive;

    /// <summary>Prefilled, not finished, and in no decode step: ready for the next one.</summary>
    public bool IsDecodeReady => Prefilled && Job is null && Generated < Request.OutputTokens;

    public bool IsDone => Prefilled && Generated >= Request.OutputTokens;

    /// <summary>Tokens in its KV cache: the prompt and the output so far.</summary>
    public int ContextTokens => Request.PromptTokens + Generated;

    public bool IsAged(double nowMs, double ageLimitMs) => !IsReactive && nowMs - LastProgressMs >= ageLimitMs;
}
