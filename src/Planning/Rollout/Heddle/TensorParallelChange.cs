using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// What changing an instance's tensor-parallel degree costs (a regroup: idle GPUs join a busy instance). A stock engine
/// (SGLang, vLLM) cannot change its degree while it runs: it is restarted at the new degree, which rebuilds its process
/// groups, compiles and captures its CUDA graphs again and reloads the weights, and loses the KV cache it held (its
/// running turns prefill their contexts again at the new degree). <see cref="InPlaceResharding"/> models an engine that
/// reshards weights and KV cache in place instead: it only moves the bytes. The simulator charges it and Heddle's regroup
/// planner decides with it (<see cref="Seconds"/>).
/// </summary>
public sealed record TensorParallelChange
{
    /// <summary>
    /// The default <see cref="RestartSeconds"/>: 64 s, a warm restart of vLLM serving Llama-3.1-8B-Instruct with every
    /// cache in place (Tensorfuse, "Reducing GPU Cold Start Time when using vLLM", 2025-09-01,
    /// https://tensorfuse.io/docs/blogs/reducing_gpu_cold_start: Dynamo bytecode transformation 10 s, graph
    /// compilation 13 s, CUDA graph capture 7 s, engine init and imports 34 s; the 18 s of weight loading there is
    /// charged apart, as bytes over the reload link). The steps are mostly CPU-bound, so the figure is kept for every
    /// model size and GPU.
    /// </summary>
    public const double StockRestartSeconds = 64;

    /// <summary>A stock engine restarted at the new degree (the default).</summary>
    public static TensorParallelChange Stock { get; } = new();

    /// <summary>An engine that reshards in place: only the weights and the resident KV cache move.</summary>
    public static TensorParallelChange InPlace { get; } = new() { InPlaceResharding = true };

    /// <summary>
    /// Whether the engine reshards in place (<c>--in-place-resharding</c>): the instance stalls for
    /// <c>(weights + resident KV bytes) / (new degree × reload bandwidth)</c> and keeps its KV cache. Default false: a
    /// restart (<see cref="RestartSeconds"/> plus the weights over the reload bandwidth, the KV cache lost).
    /// </summary>
    public bool InPlaceResharding { get; init; }

    /// <summary>Seconds a stock restart takes besides loading the weights. Default <see cref="StockRestartSeconds"/>.</summary>
    public double RestartSeconds { get; init; } = StockRestartSeconds;

    /// <summary>Checks the settings.</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="PlanningInputException">The restart time is negative or not finite.</exception>
    public TensorParallelChange Validate()
    {
        if (!double.IsFinite(RestartSeconds) || RestartSeconds < 0)
        {
            throw new PlanningInputException("restartSeconds", string.Create(CultureInfo.InvariantCulture, $"must be a finite number of seconds at least 0, got {RestartSeconds}"));
        }

        return this;
    }

    /// <summary>
    /// The seconds the instance stalls for the change, before the re-prefill a restart adds (see
    /// <see cref="ReprefillsResidentKv"/>): in place, <c>(weights + resident KV bytes) / (degree × reload bandwidth)</c>;
    /// a restart, <see cref="RestartSeconds"/> plus <c>weights / (degree × reload bandwidth)</c>.
    /// </summary>
    /// <param name="cost">The model (weight and KV bytes).</param>
    /// <param name="degree">The new degree.</param>
    /// <param name="residentKvTokens">KV tokens the instance holds (running and cached).</param>
    /// <param name="reloadBytesPerSecond">Bytes per second each GPU loads its shards at.</param>
    /// <returns>Seconds.</returns>
    public double Seconds(IInferenceCostModel cost, int degree, long residentKvTokens, double reloadBytesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var perSecond = degree * reloadBytesPerSecond;
        return InPlaceResharding
            ? (cost.WeightBytes + ((double)residentKvTokens * cost.KvBytesPerToken)) / perSecond
            : RestartSeconds + (cost.WeightBytes / perSecond);
    }

    /// <summary>Whether the instance loses its KV cache (a restart): its running turns prefill their contexts again, its cached ones are dropped.</summary>
    public bool ReprefillsResidentKv => !InPlaceResharding;
}
