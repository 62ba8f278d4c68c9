using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class RolloutTraceGeneratorTests
{
    public static TheoryData<RolloutTraceFamily> Families() => [.. Enum.GetValues<RolloutTraceFamily>()];

    [Theory]
    [MemberData(nameof(Families))]
    public void Generate_SameSeed_SameTrace_OtherSeed_Differs(RolloutTraceFamily family)
    {
        var a = RolloutTraceJson.Serialize(RolloutTraceGenerator.Generate(family, 8, 4, seed: 3));
        var b = RolloutTraceJson.Serialize(RolloutTraceGenerator.Generate(family, 8, 4, seed: 3));
        var c = RolloutTraceJson.Serialize(RolloutTraceGenerator.Generate(family, 8, 4, seed: 4));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Generate_Defaults_64PromptsOf16SamplesSharingTheirPrompt(RolloutTraceFamily family)
    {
        var trace = RolloutTraceGenerator.Generate(family);

        var groups = trace.Groups();
        Assert.Equal(1024, trace.Count);
        Assert.Equal(64, groups.Length);
        Assert.All(groups, g =>
        {
            Assert.Equal(16, g.Count());
            Assert.Single(g.Select(t => t.PromptTokens).Distinct());
            Assert.All(g, t => Assert.StartsWith(g.Key + "-s", t.Id, StringComparison.Ordinal));

            // Samples of one prompt differ.
            Assert.True(g.Select(t => t.TotalOutputTokens).Distinct().Count() > 8);
        });
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Generate_EveryTrajectory_WithinTheLimits(RolloutTraceFamily family)
    {
        var options = RolloutTraceGeneratorOptions.ForFamily(family) with { Seed = 11, MaxContextTokens = 20_000, MaxTurns = 12, MaxOutputTokensPerTurn = 3000 };

        var trace = RolloutTraceGenerator.Generate(options);

        Assert.All(trace.Trajectories, t =>
        {
            Assert.InRange(t.FinalContextTokens, 2, options.MaxContextTokens);
            Assert.InRange(t.Turns, 1, options.MaxTurns);
            Assert.All(t.OutputTokens, o => Assert.InRange(o, 1, options.MaxOutputTokensPerTurn));
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Generate_Skewed_LongestTrajectoryAtLeastTenTimesTheMedian(int seed)
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, seed: seed);

        var totals = trace.Trajectories.Select(t => (double)t.TotalOutputTokens).Order().ToArray();
        var median = (totals[511] + totals[512]) / 2;

        Assert.True(totals[^1] >= 10 * median, $"longest {totals[^1]} vs median {median}");
    }

    [Fact]
    public void Generate_Families_OrderedBySkew()
    {
        // The ratio of the 99th percentile to the median, averaged over seeds, grows from balanced to skewed.
        double TailRatio(RolloutTraceFamily family) => Enumerable.Range(0, 4).Average(seed =>
        {
            var totals = RolloutTraceGenerator.Generate(family, seed: seed).Trajectories.Select(t => (double)t.TotalOutputTokens).Order().ToArray();
            return totals[(int)(0.99 * totals.Length)] / totals[totals.Length / 2];
        });

        var balanced = TailRatio(RolloutTraceFamily.Balanced);
        var longTail = TailRatio(RolloutTraceFamily.LongTail);
        var skewed = TailRatio(RolloutTraceFamily.Skewed);

        Assert.True(balanced < longTail && longTail < skewed, $"{balanced} {longTail} {skewed}");
        Assert.True(balanced < 4, $"balanced p99/median {balanced}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Generate_Agentic_ManyTurnsAndLongContexts(int seed)
    {
        var options = RolloutTraceGeneratorOptions.ForFamily(RolloutTraceFamily.Agentic) with { Seed = seed };
        var trace = RolloutTraceGenerator.Generate(options).Trajectories;
        var turns = trace.Select(t => t.Turns).Order().ToArray();
        var contexts = trace.Select(t => t.FinalContextTokens).Order().ToArray();
        var observations = trace.SelectMany(t => t.ObservationTokens).Order().ToArray();

        // Turns: median near 20 (fewer where the context window ends a trajectory early), never above the cap.
        Assert.InRange(turns[turns.Length / 2], 15, 22);
        Assert.True(turns[^1] <= options.MaxTurns);

        // Observations: median 1,200 tokens (log-normal); contexts reach tens of thousands of tokens, within the window.
        Assert.InRange(observations[observations.Length / 2], 1000, 1400);
        Assert.True(contexts[contexts.Length / 2] >= 20_000, $"median final context {contexts[contexts.Length / 2]}");
        Assert.True(contexts[^1] <= options.MaxContextTokens);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Generate_Agentic_TailIsManyLongTrajectoriesNotOneOutlier(int seed)
    {
        var totals = RolloutTraceGenerator.Generate(RolloutTraceFamily.Agentic, seed: seed).Trajectories
            .Select(t => (double)t.TotalOutputTokens).Order().ToArray();

        // At least 3% of the trajectories generate half the longest one's output or more (skewed has a handful), and
        // the longest is under 10x the median (skewed's is over 10x: see the test above).
        Assert.True(totals.Count(x => x >= totals[^1] / 2) >= 0.03 * totals.Length);
        Assert.True(totals[^1] < 10 * totals[totals.Length / 2]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Generate_Mixed_BulkThroughputTimeWithinAFactorOf2OfTheCriticalPath(int seed)
    {
        // The family's defining property (RolloutTraceFamily.Mixed): on 64 GPUs of the 8B-class model under the modern
        // cost model, the time the whole trace's decode work needs at the best per-GPU rate (the lower bound's
        // throughput terms, which no schedule beats) is within a factor of 2 of the longest trajectory's critical path
        // (batch 1 at its fastest degree, with its tool calls): neither the bulk nor the stragglers alone set the makespan.
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Mixed, seed: seed).Trajectories;
        var bound = RolloutLowerBound.Compute(trace, 64, ModernCostModel.ForModel("8b"));

        var bulk = Math.Max(bound.ThroughputSeconds, bound.ContextThroughputSeconds);

        Assert.InRange(bulk / bound.CriticalPathSeconds, 0.5, 2.0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Generate_Skewed_CriticalPathAtLeastTwiceTheBulkThroughputTime(int seed)
    {
        // The contrast with mixed: in skewed, on the same 64 GPUs and model, the longest trajectory alone sets the bound.
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, seed: seed).Trajectories;
        var bound = RolloutLowerBound.Compute(trace, 64, ModernCostModel.ForModel("8b"));

        Assert.True(bound.CriticalPathSeconds >= 2 * Math.Max(bound.ThroughputSeconds, bound.ContextThroughputSeconds), $"{bound}");
    }

    [Fact]
    public void Generate_SamplesOfOnePrompt_Correlated()
    {
        // Intra-class correlation of log total output: most of the variance in longtail is between prompts
        // (prompt sigma 0.7 vs sample sigma 0.5), so it must be clearly positive; a generator that ignored the group
        // would give about 0.
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, seed: 2);
        var groups = trace.Groups().Select(g => g.Select(t => Math.Log(t.TotalOutputTokens)).ToArray()).ToArray();
        var all = groups.SelectMany(g => g).ToArray();
        var grand = all.Average();
        var total = all.Sum(x => (x - grand) * (x - grand)) / all.Length;
        var within = groups.Sum(g => g.Sum(x => (x - g.Average()) * (x - g.Average()))) / all.Length;

        var icc = 1 - (within / total);

        Assert.InRange(icc, 0.3, 0.9);
    }

    [Fact]
    public void Generate_ToolSeconds_MostlyBetweenPoint4And1Point4()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.LongTail, seed: 9);
        var tools = trace.Trajectories.SelectMany(t => t.ToolSeconds).ToArray();

        var inside = tools.Count(s => s is >= 0.4 and <= 1.4) / (double)tools.Length;
        var median = tools.Order().ElementAt(tools.Length / 2);

        Assert.True(tools.Length > 1000);
        Assert.InRange(inside, 0.85, 0.97);
        Assert.InRange(median, 0.75, 0.85);
    }

    [Fact]
    public void Generate_MeanTurns_CloseToTheSetting()
    {
        var options = RolloutTraceGeneratorOptions.ForFamily(RolloutTraceFamily.LongTail) with { MaxTurns = 1000, MaxContextTokens = 10_000_000, Prompts = 256, Seed = 1 };

        var mean = RolloutTraceGenerator.Generate(options).Trajectories.Average(t => t.Turns);

        Assert.InRange(mean, 5.5, 6.5);
    }

    [Theory]
    [InlineData("prompts")]
    [InlineData("samplesPerPrompt")]
    [InlineData("tailAlpha")]
    [InlineData("meanTurns")]
    [InlineData("toolSeconds")]
    [InlineData("promptTokens")]
    public void Generate_BadOption_NamesIt(string field)
    {
        var options = field switch
        {
            "prompts" => new RolloutTraceGeneratorOptions { Prompts = 0 },
            "samplesPerPrompt" => new RolloutTraceGeneratorOptions { SamplesPerPrompt = -1 },
            "tailAlpha" => new RolloutTraceGeneratorOptions { TailAlpha = 1.0 },
            "meanTurns" => new RolloutTraceGeneratorOptions { MeanTurns = double.NaN },
            "toolSeconds" => new RolloutTraceGeneratorOptions { ToolSeconds = -0.1 },
            _ => new RolloutTraceGeneratorOptions { PromptTokens = 70_000 },
        };

        var ex = Assert.Throws<PlanningInputException>(() => RolloutTraceGenerator.Generate(options));

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Families_ParseAndName_RoundTrip_UnknownRejected()
    {
        foreach (var family in Enum.GetValues<RolloutTraceFamily>())
        {
            Assert.Equal(family, RolloutTraceFamilies.Parse(RolloutTraceFamilies.Name(family)));
        }

        Assert.Equal("family", Assert.Throws<PlanningInputException>(() => RolloutTraceFamilies.Parse("heavy")).Field);
    }
}
