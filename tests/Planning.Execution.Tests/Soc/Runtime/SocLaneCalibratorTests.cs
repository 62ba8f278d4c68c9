using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Soc.Runtime;
using Planning.Graph;

namespace Planning.Execution.Tests.Soc.Runtime;

public sealed class SocLaneCalibratorTests
{
    [Property(MaxTest = 200)]
    public Property FitLine_PointsOnALine_RecoversInterceptAndSlope()
    {
        var lines =
            from intercept in Gen.Choose(0, 5000)
            from slope in Gen.Choose(1, 5000)
            from rows in Gen.ArrayOf(Gen.Choose(1, 100_000), 4)
            where rows.Distinct().Count() > 1
            select (intercept: intercept / 1000.0, slope: slope / 1e5, rows);
        return Prop.ForAll(lines.ToArbitrary(), l =>
        {
            var points = l.rows.Select(r => ((double)r, l.intercept + (l.slope * r))).ToList();
            var (fixedMs, perRow) = SocLaneCalibrator.FitLine(points);
            return Math.Abs(fixedMs - l.intercept) < 1e-6 && Math.Abs(perRow - l.slope) < 1e-9;
        });
    }

    [Fact]
    public void FitLine_PointsWithANegativeIntercept_FitsThroughTheOrigin()
    {
        // ms = 2 r - 10 on these rows; a negative fixed time is not physical, so the fit goes through 0, weights 1 / ms²:
        // slope = sum(w r m) / sum(w r r) = (10*10/100 + 20*30/900) / (100/100 + 400/900) = (5/3) / (13/9) = 15/13.
        var (fixedMs, perRow) = SocLaneCalibrator.FitLine([(10, 10), (20, 30)]);
        Assert.Equal(0, fixedMs);
        Assert.Equal(15.0 / 13, perRow, 12);
    }

    [Fact]
    public void Calibrate_SmallShape_ChecksEveryTargetWithRowsRisingWithTheTarget()
    {
        var shape = new SocChunkShape("small", 64, 4);
        var options = SocRuntimeOptions.Default with { CalibrationRepeats = 1, CalibrationTargetsMs = [2, 8, 30] };
        using var lane = new OnnxLane(new SocLaneBudget(DeviceKind.IntegratedGpu), [shape], () => 0, _ => { });
        var calibration = SocLaneCalibrator.Calibrate(lane, shape, options);

        Assert.Equal(DeviceKind.IntegratedGpu, calibration.Lane);
        Assert.Equal([2.0, 8.0, 30.0], calibration.Checks.Select(c => c.TargetMs));
        Assert.True(calibration.MsPerRow > 0);
        Assert.True(calibration.FixedMs >= 0);
        Assert.Equal(calibration.Checks.Select(c => calibration.RowsFor(c.TargetMs)), calibration.Checks.Select(c => c.Rows));
        Assert.True(calibration.Checks[0].Rows <= calibration.Checks[1].Rows && calibration.Checks[1].Rows < calibration.Checks[2].Rows);
    }
}
