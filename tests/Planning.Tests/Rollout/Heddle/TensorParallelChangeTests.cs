using Planning.Rollout;

namespace Planning.Tests.Rollout.Heddle;

public sealed class TensorParallelChangeTests
{
    /// <summary>A model whose weights weigh 16e9 bytes and whose KV takes 131,072 bytes a token.</summary>
    private sealed class Weighted : IInferenceCostModel
    {
        public string ModelName => "weighted";

        public IReadOnlyList<int> TensorParallelDegrees { get; } = [1, 2, 4, 8];

        public long KvBytesPerToken => 131_072;

        public double WeightBytes => 16e9;

        public double DecodeIterationSeconds(int batchSize, long contextTokens, int tensorParallel) => 0.01;

        public double PrefillSeconds(long newTokens, long cachedTokens, int tensorParallel) => 0.01;

        public long KvCapacityTokens(int tensorParallel) => 100_000 * tensorParallel;
    }

    [Fact]
    public void Seconds_StockRestart_RestartPlusTheWeightsOverTheReloadLinks()
    {
        // 64 s + 16e9 B / (4 GPUs x 25e9 B/s) = 64.16 s; the KV held does not move (it is lost).
        var seconds = TensorParallelChange.Stock.Seconds(new Weighted(), 4, 100_000, 25e9);

        Assert.Equal(64.16, seconds, 12);
        Assert.True(TensorParallelChange.Stock.ReprefillsResidentKv);
    }

    [Fact]
    public void Seconds_InPlaceResharding_WeightsAndResidentKvOverTheReloadLinks()
    {
        // (16e9 + 100,000 x 131,072) B / (4 x 25e9 B/s) = (16e9 + 13.1072e9) / 1e11 = 0.291072 s; the KV is kept.
        var seconds = TensorParallelChange.InPlace.Seconds(new Weighted(), 4, 100_000, 25e9);

        Assert.Equal(0.291072, seconds, 12);
        Assert.False(TensorParallelChange.InPlace.ReprefillsResidentKv);
    }

    [Fact]
    public void Seconds_RestartSecondsSet_UsedInsteadOfTheDefault()
    {
        var change = new TensorParallelChange { RestartSeconds = 20 };

        Assert.Equal(20 + (16e9 / 2e10), change.Seconds(new Weighted(), 1, 0, 2e10), 12);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void Validate_BadRestartSeconds_RejectedNamingTheField(double restart)
    {
        var error = Assert.Throws<PlanningInputException>(() => new TensorParallelChange { RestartSeconds = restart }.Validate());

        Assert.Equal("restartSeconds", error.Field);
    }
}
