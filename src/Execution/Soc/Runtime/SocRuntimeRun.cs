using Planning.Graph;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// One run on a lane of the real executor, as it happened: what the scheduler started, the chunk-model rows that stood
/// for it, and when it was decided, started and ended, in the SoC's ms (wall ms over the time scale) from the start of
/// the run.
/// </summary>
/// <param name="Lane">The lane it ran on.</param>
/// <param name="Run">What the scheduler started: the kernel, the requests it served, its predicted time and why.</param>
/// <param name="Shape">The chunk model that ran.</param>
/// <param name="Rows">The rows it ran (from the lane's calibration, for the predicted time times the time scale).</param>
/// <param name="DecidedMs">When the scheduler decided to start it.</param>
/// <param name="StartMs">When the lane's thread began the ONNX Runtime run.</param>
/// <param name="EndMs">When the run returned or was stopped.</param>
/// <param name="Aborted">Whether it was stopped by <c>RunOptions.Terminate</c> (its work lost).</param>
/// <param name="ReportedMs">When the executor reported its end to the scheduler (at or after <paramref name="EndMs"/>).</param>
public sealed record SocRuntimeRun(
    DeviceKind Lane,
    SocKernelRun Run,
    SocChunkShape Shape,
    int Rows,
    double DecidedMs,
    double StartMs,
    double EndMs,
    bool Aborted,
    double ReportedMs)
{
    /// <summary>EndMs - StartMs.</summary>
    public double DurationMs => EndMs - StartMs;
}
