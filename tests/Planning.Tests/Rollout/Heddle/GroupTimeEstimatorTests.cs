using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class GroupTimeEstimatorTests
{
    private static readonly AffineCostModel Cost = new();

    public static Arbitrary<WorkItemSample> Groups() =>
        (from count in Gen.Choose(1, 12)
         from seed in Gen.Choose(0, 1_000_000)
         select new WorkItemSample(RolloutArbitraries.RandomItems(seed, count))).ToArbitrary();

    [Property(MaxTest = 100, Arbitrary = [typeof(GroupTimeEstimatorTests)])]
    public bool EstimateSeconds_EqualsSegmentFormula(WorkItemSample sample)
    {
        var items = sample.Items;
        foreach (var d in Cost.TensorParallelDegrees)
        {
            var expected = Oracle(items, d);
            var actual = new GroupTimeEstimator(Cost).EstimateSeconds(items, d);
            Assert.Equal(expected, actual, 1e-9 * Math.Max(1, expected));
        }

        return true;
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(GroupTimeEstimatorTests)])]
    public bool EstimateSeconds_NeverDecreasesWhenAnItemJoins(WorkItemSample sample)
    {
        var items = sample.Items;
        var estimator = new GroupTimeEstimator(Cost);
        for (var drop = 0; drop < items.Length; drop++)
        {
            var smaller = items.Where((_, i) => i != drop).ToArray();
            Assert.True(estimator.EstimateSeconds(smaller, 2) <= estimator.EstimateSeconds(items, 2) + 1e-12);
            Assert.True(estimator.EstimatePeakKvTokens(smaller, 2) <= estimator.EstimatePeakKvTokens(items, 2));
        }

        return true;
    }

    [Property(MaxTest = 50, Arbitrary = [typeof(GroupTimeEstimatorTests)])]
    public bool EstimateFinishSeconds_MaxIsGroupTime(WorkItemSample sample)
    {
        var items = sample.Items;
        var estimator = new GroupTimeEstimator(Cost);
        var finish = estimator.EstimateFinishSeconds(items, 4);
        Assert.Equal(estimator.EstimateSeconds(items, 4), finish.Max(), 1e-9);
        return true;
    }

    [Fact]
    public void EstimateSeconds_OneItem_IsPrefillDecodeAndTool()
    {
        var item = new RolloutWorkItem(0, 1000, 2000, 3.5);
        var expected = Cost.PrefillSeconds(2000, 0, 2) + (1000 * Cost.DecodeIterationSeconds(1, 2500, 2)) + 3.5;
        Assert.Equal(expected, new GroupTimeEstimator(Cost).EstimateSeconds([item], 2), 12);
    }

    [Fact]
    public void EstimateSeconds_TwoItems_HandComputed()
    {
        // Batch model 1 + b, no prefill: 10 and 4 tokens: 4 iterations at batch 2 (3 s) + 6 at batch 1 (2 s) = 24 s.
        var cost = new LinearBatchCostModel();
        var seconds = new GroupTimeEstimator(cost).EstimateSeconds([new(0, 4, 0, 0), new(1, 10, 0, 0)], 1);
        Assert.Equal(24.0, seconds, 12);
    }

    [Fact]
    public void Add_LongerAfterShorter_Throws()
    {
        var group = new GroupTimeEstimator(Cost).Start(1);
        group.Add(new RolloutWorkItem(0, 10, 0, 0));
        Assert.Throws<InvalidOperationException>(() => group.Add(new RolloutWorkItem(1, 11, 0, 0)));
    }

    [Fact]
    public void EstimatePeakKvTokens_IsLargestPrefixContextPlusGrowth()
    {
        // Sorted: (w 10, c 100), (w 4, c 50): max(100 + 10, 150 + 2 * 4) = 158.
        var peak = new GroupTimeEstimator(Cost).EstimatePeakKvTokens([new(1, 4, 50, 0), new(0, 10, 100, 0)], 1);
        Assert.Equal(158, peak);
    }

    /// <summary>Direct evaluation of the documented model, O(m^2).</summary>
    private static double Oracle(RolloutWorkItem[] items, int d)
    {
        var sorted = items.OrderByDescending(i => i.PredictedTokens).ThenBy(i => i.Trajectory).ToArray();
        var prefill = sorted.Sum(i => i.ContextTokens > 0 ? Cost.PrefillSeconds(i.ContextTokens, 0, d) : 0);
        var worst = double.NegativeInfinity;
        for (var k = 0; k < sorted.Length; k++)
        {
            var finish = 0.0;
            for (var j = k; j < sorted.Length; j++)
            {
                var next = j + 1 < sorted.Length ? sorted[j + 1].PredictedTokens : 0;
                var context = sorted.Take(j + 1).Sum(i => i.ContextTokens + (i.PredictedTokens / 2));
                finish += (sorted[j].PredictedTokens - next) * Cost.DecodeIterationSeconds(j + 1, (long)Math.Round(context, MidpointRounding.AwayFromZero), d);
            }

            worst = Math.Max(worst, finish + sorted[k].PredictedToolSeconds);
        }

        return prefill + worst;
    }

    [Fact]
    public void EstimateSeconds_PeakBeyondCapacity_ScaledByPeakOverCapacity()
    {
        // The same timings with a KV cache too small (100,000 tokens a GPU) and one that holds anything: the small one's
        // group time is the large one's times peak / capacity, and so is every finish time.
        var items = Enumerable.Range(0, 10).Select(i => new RolloutWorkItem(i, 10_000 - (i * 500), 30_000, 0.5)).ToArray();
        var small = new GroupTimeEstimator(new AffineCostModel(kvPerGpu: 100_000));
        var large = new GroupTimeEstimator(new AffineCostModel(kvPerGpu: 1_000_000_000));

        var peak = small.EstimatePeakKvTokens(items, 2);
        var waves = peak / 200_000;

        Assert.True(waves > 1);
        Assert.Equal(peak, large.EstimatePeakKvTokens(items, 2));
        Assert.Equal(large.EstimateSeconds(items, 2) * waves, small.EstimateSeconds(items, 2), 1e-9);
        var expected = large.EstimateFinishSeconds(items, 2);
        var actual = small.EstimateFinishSeconds(items, 2);
        for (var k = 0; k < items.Length; k++)
        {
            Assert.Equal(expected[k] * waves, actual[k], 1e-9);
        }
    }
}

/// <summary>Shared generators of the rollout tests.</summary>
internal static class RolloutArbitraries
{
    /// <summary>Random items: long-tailed tokens (some ties), contexts and tool times.</summary>
    public static RolloutWorkItem[] RandomItems(int seed, int count, int maxTokens = 4000, bool tools = true)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new RolloutWorkItem(
            i,
            random.Next(4) == 0 ? random.Next(1, 4) * 100 : Math.Round(Math.Exp(random.NextDouble() * Math.Log(maxTokens))),
            random.Next(0, 3000),
            tools && random.Next(3) == 0 ? Math.Round(random.NextDouble() * 5, 2) : 0))];
    }
}
