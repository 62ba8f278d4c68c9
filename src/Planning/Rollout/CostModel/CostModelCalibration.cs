using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Planning.Rollout;

/// <summary>One measured configuration of the calibration data with what the fitted model predicts for it.</summary>
/// <param name="TensorParallel">Tensor-parallel degree.</param>
/// <param name="PromptSize">Tokens of each prompt.</param>
/// <param name="BatchSize">Sequences prefilled together, and then decoded together.</param>
/// <param name="TokenSize">Tokens each sequence generated (the decode context grows by it; the mean context is prompt + tokens / 2).</param>
/// <param name="MeasuredPrefillSeconds">Measured prefill seconds of the whole batch.</param>
/// <param name="PredictedPrefillSeconds">The model's prefill seconds.</param>
/// <param name="MeasuredDecodeSeconds">Measured seconds of one decode iteration.</param>
/// <param name="PredictedDecodeSeconds">The model's decode-iteration seconds.</param>
public sealed record CostModelCalibrationRow(
    int TensorParallel,
    int PromptSize,
    int BatchSize,
    int TokenSize,
    double MeasuredPrefillSeconds,
    double PredictedPrefillSeconds,
    double MeasuredDecodeSeconds,
    double PredictedDecodeSeconds)
{
    /// <summary>|predicted - measured| / measured of the prefill.</summary>
    public double PrefillError => Math.Abs(PredictedPrefillSeconds - MeasuredPrefillSeconds) / MeasuredPrefillSeconds;

    /// <summary>|predicted - measured| / measured of the decode iteration.</summary>
    public double DecodeError => Math.Abs(PredictedDecodeSeconds - MeasuredDecodeSeconds) / MeasuredDecodeSeconds;
}

/// <summary>
/// The fit of <see cref="CalibratedCostModel"/>'s roofline to measured Llama-2-70B rows on H100-80GB (the rows of
/// <c>llama2-70b</c> on <c>h100-80gb</c> in splitwise-sim's perf_model.csv, embedded from the repository's
/// <c>data/splitwise/perf_model.csv</c>): the fitted constants, every row with its prediction, and the error. Least
/// squares on relative error (each row weighted by 1 / measured), solved with MathNet.Numerics QR under
/// non-negativity; the decode fit scans the compute-to-bandwidth efficiency ratio on a 1% grid (for a fixed ratio the
/// model is linear), the prefill fit alternates between assigning each row to the floor or the rising branch of its
/// max() and solving each branch (segmented regression). Deterministic.
/// </summary>
public sealed class CostModelCalibration
{
    internal CostModelCalibration(
        CalibratedCostModelConstants constants,
        string source,
        ImmutableArray<CostModelCalibrationRow> rows,
        int excludedRows,
        string exclusion)
    {
        Constants = constants;
        Source = source;
        Rows = rows;
        ExcludedRows = excludedRows;
        Exclusion = exclusion;
        DecodeMeanAbsolutePercentageError = rows.Average(r => r.DecodeError);
        DecodeMaxAbsolutePercentageError = rows.Max(r => r.DecodeError);
        PrefillMeanAbsolutePercentageError = rows.Average(r => r.PrefillError);
        PrefillMaxAbsolutePercentageError = rows.Max(r => r.PrefillError);
    }

    /// <summary>Where the measured rows came from.</summary>
    public string Source { get; }

    /// <summary>Fixed seconds of a decode iteration per layer (kernel launches, scheduling).</summary>
    public double DecodeOverheadSecondsPerLayer => Constants.DecodeOverheadSecondsPerLayer;

    /// <summary>All-reduce latency of a decode iteration per layer and per extra GPU (times TP - 1).</summary>
    public double DecodeAllReduceSecondsPerLayer => Constants.DecodeAllReduceSecondsPerLayer;

    /// <summary>The fraction of HBM bandwidth reached reading weights and KV cache.</summary>
    public double MemoryEfficiency => Constants.MemoryEfficiency;

    /// <summary>The fraction of peak FLOP/s a decode iteration's matrix multiplies reach once compute-bound.</summary>
    public double DecodeComputeEfficiency => Constants.DecodeComputeEfficiency;

    /// <summary>The least seconds of a prefill per layer (at tensor-parallel degree 1).</summary>
    public double PrefillFloorSecondsPerLayer => Constants.PrefillFloorSecondsPerLayer;

    /// <summary>What each extra GPU adds to the prefill floor, per layer.</summary>
    public double PrefillFloorSecondsPerLayerPerExtraGpu => Constants.PrefillFloorSecondsPerLayerPerExtraGpu;

    /// <summary>Fixed seconds of a prefill per layer, above the floor.</summary>
    public double PrefillOverheadSecondsPerLayer => Constants.PrefillOverheadSecondsPerLayer;

    /// <summary>The fraction of peak FLOP/s a prefill reaches.</summary>
    public double PrefillComputeEfficiency => Constants.PrefillComputeEfficiency;

    /// <summary>The fraction of interconnect bandwidth a prefill's all-reduces reach.</summary>
    public double PrefillInterconnectEfficiency => Constants.PrefillInterconnectEfficiency;

    /// <summary>The rows fitted, each with its prediction.</summary>
    public ImmutableArray<CostModelCalibrationRow> Rows { get; }

    /// <summary>Measured rows left out of the fit (see <see cref="Exclusion"/>).</summary>
    public int ExcludedRows { get; }

    /// <summary>Why rows were left out.</summary>
    public string Exclusion { get; }

    /// <summary>Mean |predicted - measured| / measured of the decode iterations over <see cref="Rows"/> (a fraction: 0.03 is 3%).</summary>
    public double DecodeMeanAbsolutePercentageError { get; }

    /// <summary>The largest relative decode error over <see cref="Rows"/> (a fraction).</summary>
    public double DecodeMaxAbsolutePercentageError { get; }

    /// <summary>Mean |predicted - measured| / measured of the prefills over <see cref="Rows"/> (a fraction).</summary>
    public double PrefillMeanAbsolutePercentageError { get; }

    /// <summary>The largest relative prefill error over <see cref="Rows"/> (a fraction).</summary>
    public double PrefillMaxAbsolutePercentageError { get; }

    internal CalibratedCostModelConstants Constants { get; }

    /// <summary>A few lines for people: the constants and the errors.</summary>
    /// <returns>The report.</returns>
    public string Report()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"calibration: {Rows.Length} measured rows of {Source} ({ExcludedRows} excluded: {Exclusion})");
        text.AppendLine(CultureInfo.InvariantCulture, $"decode: {DecodeOverheadSecondsPerLayer * 1e3:F4} ms/layer overhead + max(weights at {MemoryEfficiency:P1} of HBM, compute at {DecodeComputeEfficiency:P1} of peak) + KV at {MemoryEfficiency:P1} of HBM + {DecodeAllReduceSecondsPerLayer * 1e3:F4} ms/layer x (TP - 1)");
        text.AppendLine(CultureInfo.InvariantCulture, $"decode error: mean {DecodeMeanAbsolutePercentageError:P2}, max {DecodeMaxAbsolutePercentageError:P2}");
        text.AppendLine(CultureInfo.InvariantCulture, $"prefill: max({PrefillFloorSecondsPerLayer * 1e3:F4} + {PrefillFloorSecondsPerLayerPerExtraGpu * 1e3:F4} x (TP - 1) ms/layer, {PrefillOverheadSecondsPerLayer * 1e3:F4} ms/layer + FLOPs at {PrefillComputeEfficiency:P1} of peak + all-reduce at {PrefillInterconnectEfficiency:P1} of NVLink)");
        text.Append(CultureInfo.InvariantCulture, $"prefill error: mean {PrefillMeanAbsolutePercentageError:P2}, max {PrefillMaxAbsolutePercentageError:P2}");
        return text.ToString();
    }
}
