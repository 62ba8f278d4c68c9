namespace Planning.Rollout;

/// <summary>The fitted constants of the roofline (see <see cref="CostModelCalibration"/> for their meaning).</summary>
internal readonly record struct CalibratedCostModelConstants(
    double DecodeOverheadSecondsPerLayer,
    double DecodeAllReduceSecondsPerLayer,
    double MemoryEfficiency,
    double DecodeComputeEfficiency,
    double PrefillFloorSecondsPerLayer,
    double PrefillFloorSecondsPerLayerPerExtraGpu,
    double PrefillOverheadSecondsPerLayer,
    double PrefillComputeEfficiency,
    double PrefillInterconnectEfficiency);

/// <summary>
/// The roofline-shaped cost formulas, shared by the fit (on the measured 70B rows) and by every model at run time.
/// Each is a sum of terms that are linear in one fitted constant, so that the fit can be a least-squares solve.
/// </summary>
internal static class CalibratedCostModelRoofline
{
    /// <summary>
    /// One decode iteration: per-layer overhead + max(weight bytes / TP over HBM, 2 x params x batch / TP over compute)
    /// + KV bytes read / TP over HBM + per-layer all-reduce latency x (TP - 1) (a ring all-reduce has TP - 1 steps a
    /// phase, and at decode sizes each step is latency-bound).
    /// </summary>
    public static double DecodeSeconds(InferenceModelSpec model, InferenceHardware hardware, in CalibratedCostModelConstants c, double batch, double contextTokens, int tensorParallel)
    {
        var weights = model.Parameters * hardware.BytesPerParameter / tensorParallel / (c.MemoryEfficiency * hardware.MemoryBytesPerSecond);
        var compute = 2 * model.Parameters * batch / tensorParallel / (c.DecodeComputeEfficiency * hardware.PeakFlopsPerSecond);
        var kv = contextTokens * model.KvBytesPerToken(hardware.KvBytesPerElement) / tensorParallel / (c.MemoryEfficiency * hardware.MemoryBytesPerSecond);
        return (model.Layers * c.DecodeOverheadSecondsPerLayer)
            + Math.Max(weights, compute)
            + kv
            + (model.Layers * c.DecodeAllReduceSecondsPerLayer * (tensorParallel - 1));
    }

    /// <summary>
    /// A prefill of <paramref name="newTokens"/> tokens whose attention costs <paramref name="attentionFlops"/>:
    /// max(a latency floor, per-layer overhead + (linear + attention FLOPs) / TP over compute + all-reduce bytes over
    /// the interconnect). The floor is what the measurements show for short prompts: a prefill never takes less than
    /// about one pass of fixed cost, whatever its size.
    /// </summary>
    public static double PrefillSeconds(InferenceModelSpec model, InferenceHardware hardware, in CalibratedCostModelConstants c, double newTokens, double attentionFlops, int tensorParallel)
    {
        if (newTokens <= 0)
        {
            return 0;
        }

        var floor = model.Layers * (c.PrefillFloorSecondsPerLayer + (c.PrefillFloorSecondsPerLayerPerExtraGpu * (tensorParallel - 1)));
        var rising = (model.Layers * c.PrefillOverheadSecondsPerLayer)
            + (PrefillFlops(model, newTokens, attentionFlops) / tensorParallel / (c.PrefillComputeEfficiency * hardware.PeakFlopsPerSecond))
            + (PrefillAllReduceBytes(model, hardware, newTokens, tensorParallel) / (c.PrefillInterconnectEfficiency * hardware.InterconnectBytesPerSecond));
        return Math.Max(floor, rising);
    }

    /// <summary>Causal attention FLOPs of one sequence prefilling <paramref name="newTokens"/> on top of <paramref name="cachedTokens"/>: QK^T and AV, 2 FLOPs a multiply-add each.</summary>
    public static double AttentionFlops(InferenceModelSpec model, double newTokens, double cachedTokens) =>
        4.0 * model.Layers * model.HiddenSize * newTokens * (cachedTokens + (newTokens / 2));

    /// <summary>Dense FLOPs of a prefill: 2 x params a token, plus attention.</summary>
    public static double PrefillFlops(InferenceModelSpec model, double newTokens, double attentionFlops) =>
        (2 * model.Parameters * newTokens) + attentionFlops;

    /// <summary>
    /// Bytes each GPU sends for a prefill's all-reduces: two a layer of newTokens x hidden activations, a ring moving
    /// 2 (TP - 1) / TP of each.
    /// </summary>
    public static double PrefillAllReduceBytes(InferenceModelSpec model, InferenceHardware hardware, double newTokens, int tensorParallel) =>
        2.0 * model.Layers * newTokens * model.HiddenSize * hardware.BytesPerParameter * 2.0 * (tensorParallel - 1) / tensorParallel;
}
