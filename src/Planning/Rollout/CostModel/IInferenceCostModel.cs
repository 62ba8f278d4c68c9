namespace Planning.Rollout;

/// <summary>
/// The time an LLM inference instance (one model replica on <c>tensorParallel</c> GPUs) takes for its work, and the
/// KV-cache memory it has. The rollout simulator advances time with it; the planners (placement DP, resource manager)
/// predict with the same model so that what they optimise is what the simulator measures.
/// </summary>
public interface IInferenceCostModel
{
    /// <summary>The model's name (for reports).</summary>
    string ModelName { get; }

    /// <summary>The tensor-parallel degrees an instance may use, ascending (for example 1, 2, 4, 8).</summary>
    IReadOnlyList<int> TensorParallelDegrees { get; }

    /// <summary>Seconds of one decode iteration of a continuous batch: every sequence in it gains one token.</summary>
    /// <param name="batchSize">Sequences in the batch, at least 1.</param>
    /// <param name="contextTokens">The sum of the batch's context lengths (KV tokens read by attention).</param>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>Seconds for the iteration.</returns>
    double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel);

    /// <summary>Seconds to prefill <paramref name="newTokens"/> tokens on top of <paramref name="cachedTokens"/> already in the KV cache.</summary>
    /// <param name="newTokens">Tokens to prefill (prompt, observation, or a whole context after a migration without its cache).</param>
    /// <param name="cachedTokens">Tokens already cached that attention reads.</param>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>Seconds for the prefill.</returns>
    double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel);

    /// <summary>How many tokens of KV cache fit on an instance of this degree (memory after weights and activations).</summary>
    /// <param name="tensorParallel">The instance's tensor-parallel degree.</param>
    /// <returns>KV-cache capacity in tokens.</returns>
    long KvCapacityTokens(int tensorParallel);

    /// <summary>Bytes of KV cache per token (all layers), which a migration transfers.</summary>
    long KvBytesPerToken { get; }

    /// <summary>
    /// Bytes of the model's weights, which an instance changing its tensor-parallel degree loads again (resharded);
    /// default 0 for models that do not say (then only the KV cache is resharded).
    /// </summary>
    double WeightBytes => 0;
}
