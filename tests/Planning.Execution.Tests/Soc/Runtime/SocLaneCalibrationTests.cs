using Planning.Execution.Soc.Runtime;
using Planning.Graph;

namespace Planning.Execution.Tests.Soc.Runtime;

public sealed class SocLaneCalibrationTests
{
    [Theory]
    [InlineData(12.0, 5)] // (12 - 2) / 2
    [InlineData(13.0, 6)] // 5.5 rounds to even
    [InlineData(2.5, 1)] // below one row: one row
    [InlineData(-4.0, 1)]
    public void RowsFor_Target_InvertsTheLine(double targetMs, int rows)
    {
        var calibration = new SocLaneCalibration(DeviceKind.Npu, SocChunkShape.Prefill, FixedMs: 2, MsPerRow: 2, []);
        Assert.Equal(rows, calibration.RowsFor(targetMs));
    }

    [Fact]
    public void RowsFor_HugeTarget_CapsAtMaxRows()
    {
        var calibration = new SocLaneCalibration(DeviceKind.Npu, SocChunkShape.Prefill, FixedMs: 0, MsPerRow: 1e-6, []);
        Assert.Equal(SocLaneCalibration.MaxRows, calibration.RowsFor(1e9));
    }

    [Fact]
    public void MaxAbsError_Checks_IsTheLargestRelativeMiss()
    {
        var calibration = new SocLaneCalibration(DeviceKind.Cpu, SocChunkShape.Decode, 1, 0.1, [new(10, 90, 11), new(20, 190, 19), new(40, 390, 46)]);
        Assert.Equal(0.15, calibration.MaxAbsError, 12);
        Assert.Equal((0.1 + 0.05 + 0.15) / 3, calibration.MeanAbsError, 12);
    }
}
