namespace Planning.Execution.Adapters.Moe;

/// <summary>How a serving system splits the tokens of one expert over its replicas; none of the formats carries quotas.</summary>
public enum ExpertDispatchRule
{
    /// <summary>
    /// SGLang's <c>--ep-dispatch-algorithm static</c>: every (source rank, expert) pair sends all its tokens to one
    /// replica: the first one on the same GPU if there is one, else one drawn by SGLang's seeded fair choice
    /// (<see cref="SglangStaticDispatch"/>).
    /// </summary>
    SglangStatic,

    /// <summary>
    /// vLLM's and DeepSeek EPLB's rule (replica = token position mod replica count): the tokens of every
    /// (source rank, expert) pair split evenly over the expert's replicas in ascending slot order, the first
    /// <c>tokens mod replicas</c> replicas one token more.
    /// </summary>
    EvenSplit,
}
