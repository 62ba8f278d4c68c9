using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Execution.Soc.Runtime;

/// <summary>One check of a calibration: the rows chosen for a target time, and the time the run took.</summary>
/// <param name="TargetMs">The time asked for, in ms.</param>
/// <param name="Rows">The rows the calibration chose for it.</param>
/// <param name="MeasuredMs">The least measured time of those rows over the calibration's repeats, in ms.</param>
public sealed record SocCalibrationCheck(double TargetMs, int Rows, double MeasuredMs)
{
    /// <summary>Measured / target - 1 (0.05: the run took 5 % longer than asked).</summary>
    public double Error => (MeasuredMs / TargetMs) - 1;
}

/// <summary>
/// How long one chunk shape takes on one lane, measured on this machine: a line <c>ms = FixedMs + MsPerRow x rows</c>
/// fitted by least squares to timed runs, and the checks that show how well the line hits the times the executor asks
/// for.
/// </summary>
/// <param name="Lane">The lane measured.</param>
/// <param name="Shape">The chunk shape measured.</param>
/// <param name="FixedMs">The fitted time of a run of no rows (the weights streamed, the nodes dispatched), in ms.</param>
/// <param name="MsPerRow">The fitted time of one more row, in ms.</param>
/// <param name="Checks">Runs at the rows chosen for each check target, and what they took.</param>
public sealed record SocLaneCalibration(DeviceKind Lane, SocChunkShape Shape, double FixedMs, double MsPerRow, ImmutableArray<SocCalibrationCheck> Checks)
{
    /// <summary>The largest |measured / target - 1| over the checks (0 when there are none).</summary>
    public double MaxAbsError => Checks.IsDefaultOrEmpty ? 0 : Checks.Max(c => Math.Abs(c.Error));

    /// <summary>The mean |measured / target - 1| over the checks (0 when there are none).</summary>
    public double MeanAbsError => Checks.IsDefaultOrEmpty ? 0 : Checks.Average(c => Math.Abs(c.Error));

    /// <summary>
    /// The rows whose run the line predicts closest to <paramref name="targetMs"/>; at least 1, so a target below
    /// <see cref="FixedMs"/> + one row runs one row (and takes longer than asked).
    /// </summary>
    /// <param name="targetMs">The time wanted, in ms.</param>
    /// <returns>Rows to feed the shape's model.</returns>
    public int RowsFor(double targetMs)
    {
        var rows = Math.Round((targetMs - FixedMs) / MsPerRow);
        return rows < 1 ? 1 : rows > MaxRows ? MaxRows : (int)rows;
    }

    /// <summary>The most rows one run is given (a 4-million-element input), however long the target.</summary>
    public const int MaxRows = 1 << 22;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Lane} {Shape.Name}: {FixedMs:0.00} ms + {MsPerRow * 1000:0.0} us/row, checks within {MaxAbsError:P1}");
}
