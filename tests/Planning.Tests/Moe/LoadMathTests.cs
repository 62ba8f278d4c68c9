using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe;

namespace Planning.Tests.Moe;

public sealed class LoadMathTests
{
    [Property(MaxTest = 200)]
    public Property EvenShare_SharesSumToLoadAndDifferByAtMostOne() =>
        Prop.ForAll(
            Gen.Choose(0, 1_000_000).ToArbitrary(),
            Gen.Choose(1, 64).ToArbitrary(),
            (load, parts) =>
            {
                var shares = Enumerable.Range(0, parts).Select(i => LoadMath.EvenShare(load, parts, i)).ToArray();
                return shares.Sum() == load && shares.Max() - shares.Min() <= 1 && shares.SequenceEqual(shares.OrderDescending());
            });

    [Fact]
    public void Imbalance_AllZero_IsOne()
    {
        Assert.Equal(1.0, LoadMath.Imbalance([0, 0, 0]));
    }

    [Fact]
    public void Imbalance_IsMaxOverMean()
    {
        Assert.Equal(1.5, LoadMath.Imbalance([30, 10, 20]));
    }

    [Fact]
    public void SolveTiming_MedianAndNearestRankP99()
    {
        var timing = SolveTiming.From([.. Enumerable.Range(1, 100).Select(i => (double)i)]);

        Assert.Equal(50.5, timing.MedianMicroseconds);
        Assert.Equal(99.0, timing.P99Microseconds);
        Assert.Equal(100, timing.Samples);
    }
}
