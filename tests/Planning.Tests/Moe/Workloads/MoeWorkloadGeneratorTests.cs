using Planning.Moe;
using Planning.Moe.Json;
using Planning.Moe.Workloads;

namespace Planning.Tests.Moe.Workloads;

public sealed class MoeWorkloadGeneratorTests
{
    /// <summary>A mid-sized workload: 32 ranks x 4 experts, 2048 tokens, top-8; quick enough for every family.</summary>
    private static readonly MoeWorkloadSettings Mid = new()
    {
        Ranks = 32,
        RanksPerDomain = 32,
        TokensPerRank = 2048,
        Microbatches = 4,
        RotateEvery = 2,
        Seed = 7,
    };

    public static TheoryData<MoeWorkloadFamily> Families() => [.. Enum.GetValues<MoeWorkloadFamily>()];

    public static TheoryData<MoeWorkloadFamily, double> TargetFamilies()
    {
        var data = new TheoryData<MoeWorkloadFamily, double>();
        foreach (var family in new[] { MoeWorkloadFamily.Zipf, MoeWorkloadFamily.HotSet, MoeWorkloadFamily.HotRank, MoeWorkloadFamily.Rotating })
        {
            foreach (var target in new[] { 1.5, 2.0, 3.0, 4.0 })
            {
                data.Add(family, target);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Generate_SameSeed_SameWorkload_DifferentSeed_Differs(MoeWorkloadFamily family)
    {
        var settings = Mid with { Family = family, Layers = 2 };

        var a = MoeWorkloadGenerator.Generate(settings);
        var b = MoeWorkloadGenerator.Generate(settings);
        var c = MoeWorkloadGenerator.Generate(settings with { Seed = 8 });

        Assert.Equal(family, a.Family);
        Assert.Equal(MoeWorkloadJson.SerializeLines(a.Microbatches), MoeWorkloadJson.SerializeLines(b.Microbatches));
        for (var m = 0; m < settings.Microbatches; m++)
        {
            Assert.NotEqual(a.Microbatches[m].Layers[1].ExpertLoads.ToArray(), c.Microbatches[m].Layers[1].ExpertLoads.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Generate_EveryFamily_RoutesTopKTimesTokensPerRowWithNoExpertAboveTokens(MoeWorkloadFamily family)
    {
        var settings = new MoeWorkloadSettings
        {
            Family = family,
            Ranks = 16,
            RanksPerNode = 4,
            RanksPerDomain = 8,
            ExpertsPerRank = 3,
            RedundantSlotsPerRank = 1,
            Layers = 2,
            TokensPerRank = 1000,
            TopK = 6,
            TargetImbalance = 2.5,
            Microbatches = 5,
            HotExperts = 3,
            RotateEvery = 2,
            Seed = 4,
        };

        var workload = MoeWorkloadGenerator.Generate(settings);

        WorkloadAssertions.AssertRoutingInvariants(workload);
    }

    [Theory]
    [MemberData(nameof(TargetFamilies))]
    public void Generate_FamilyDefinedByTarget_ReachesItInEveryMicrobatchAndLayer(MoeWorkloadFamily family, double target)
    {
        var workload = MoeWorkloadGenerator.Generate(Mid with { Family = family, TargetImbalance = target, Layers = 2 });

        foreach (var microbatch in workload.Microbatches)
        {
            for (var l = 0; l < microbatch.Layers.Length; l++)
            {
                Assert.InRange(WorkloadAssertions.InitialImbalance(microbatch, l), target * 0.99, target * 1.01);
            }
        }
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    public void Generate_DefaultSizes_ReachTargetWithinOnePercent(double target)
    {
        foreach (var family in new[] { MoeWorkloadFamily.Zipf, MoeWorkloadFamily.HotSet, MoeWorkloadFamily.HotRank, MoeWorkloadFamily.Rotating })
        {
            var workload = MoeWorkloadGenerator.Generate(new MoeWorkloadSettings { Family = family, TargetImbalance = target, Microbatches = 2, RotateEvery = 1 });

            Assert.All(workload.Microbatches, microbatch => Assert.InRange(WorkloadAssertions.InitialImbalance(microbatch), target * 0.99, target * 1.01));
        }
    }

    [Fact]
    public void Settings_Defaults_MatchTheIssue()
    {
        var settings = new MoeWorkloadSettings();

        Assert.Equal(
            (MoeWorkloadFamily.Zipf, 64, 4, 2, 8, 64, 1, 8192, 8, 2.0, 1, 1, 8, 4, 0.05, 0.2, (int?)null),
            (settings.Family, settings.Ranks, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, settings.RanksPerNode, settings.RanksPerDomain, settings.Layers, settings.TokensPerRank, settings.TopK, settings.TargetImbalance, settings.Microbatches, settings.Seed, settings.HotExperts, settings.RotateEvery, settings.Drift, settings.BurstProbability, settings.ExpertGroups));
    }

    [Theory]
    [InlineData(1, 64, 8, 8192, 2.0, 11)]
    [InlineData(1, 64, 8, 8192, 3.0, 3)]
    [InlineData(3, 16, 8, 1024, 1.8, 42)]
    [InlineData(2, 8, 4, 500, 1.0, 5)]
    public void Generate_ZipfFirstMicrobatch_IsExactlyMoeCaseGeneratorsCase(int layers, int ranks, int topK, int tokens, double target, int seed)
    {
        var generator = new MoeWorkloadSettings { Ranks = ranks, RanksPerDomain = ranks, Layers = layers, TopK = topK, TokensPerRank = tokens, TargetImbalance = target, Seed = seed };
        var settings = new MoeWorkloadSettings { Ranks = ranks, RanksPerDomain = ranks, Layers = layers, TopK = topK, TokensPerRank = tokens, TargetImbalance = target, Seed = seed, Microbatches = 2 };

        var expected = MoeCaseJson.Serialize(MoeCaseGenerator.Generate(generator));
        var workload = MoeWorkloadGenerator.Generate(settings);

        Assert.Equal(expected, MoeCaseJson.Serialize(workload.Microbatches[0]));
        Assert.Equal(expected, MoeCaseJson.Serialize(MoeWorkloadGenerator.Generate(settings with { Microbatches = 1 }).Microbatches[0]));
    }

    [Fact]
    public void Generate_ZipfDrift_ConsecutiveMicrobatchesCorrelatedButNotEqual()
    {
        var workload = MoeWorkloadGenerator.Generate(Mid with { Microbatches = 6 });

        for (var m = 1; m < workload.Microbatches.Length; m++)
        {
            var previous = workload.Microbatches[m - 1].Layers[0].ExpertLoads.Select(x => (double)x).ToArray();
            var current = workload.Microbatches[m].Layers[0].ExpertLoads.Select(x => (double)x).ToArray();
            Assert.NotEqual(previous, current);
            Assert.True(Correlation(previous, current) > 0.9, $"microbatch {m}: correlation {Correlation(previous, current):0.000}");
        }
    }

    [Fact]
    public void Generate_ZipfStrongerDrift_WandersFurtherFromTheFirstMicrobatch()
    {
        var calm = MoeWorkloadGenerator.Generate(Mid with { Microbatches = 12, Drift = 0.0 });
        var wild = MoeWorkloadGenerator.Generate(Mid with { Microbatches = 12, Drift = 0.3 });

        static double Last(MoeWorkload w) => Correlation(
            [.. w.Microbatches[0].Layers[0].ExpertLoads.Select(x => (double)x)],
            [.. w.Microbatches[^1].Layers[0].ExpertLoads.Select(x => (double)x)]);

        Assert.True(Last(wild) < Last(calm), $"drift 0.3: {Last(wild):0.000}, drift 0: {Last(calm):0.000}");
    }

    [Fact]
    public void Generate_HotSet_HotExpertsOnDistinctRanksAndStable()
    {
        var workload = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.HotSet, HotExperts = 5, Microbatches = 5 });

        var first = WorkloadAssertions.TopExperts(workload.Microbatches[0], 5);
        Assert.Equal(5, first.Select(e => e / Mid.ExpertsPerRank).Distinct().Count());
        Assert.All(workload.Microbatches, microbatch => Assert.Equal(first, WorkloadAssertions.TopExperts(microbatch, 5)));
    }

    [Fact]
    public void Generate_HotRank_TheHottestExpertsAreOneRanksMasters()
    {
        var workload = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.HotRank, Microbatches = 3, Layers = 2 });

        for (var l = 0; l < 2; l++)
        {
            var top = WorkloadAssertions.TopExperts(workload.Microbatches[0], Mid.ExpertsPerRank, l);
            var rank = top[0] / Mid.ExpertsPerRank;
            Assert.Equal(Enumerable.Range(rank * Mid.ExpertsPerRank, Mid.ExpertsPerRank), top);
            Assert.All(workload.Microbatches, microbatch => Assert.Equal(top, WorkloadAssertions.TopExperts(microbatch, Mid.ExpertsPerRank, l)));
        }
    }

    [Fact]
    public void Generate_Rotating_HotSetHoldsWithinAPhaseAndMovesBetweenPhases()
    {
        const int hot = 8;
        var workload = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.Rotating, HotExperts = hot, RotateEvery = 3, Microbatches = 9 });

        var sets = workload.Microbatches.Select(m => WorkloadAssertions.TopExperts(m, hot)).ToArray();
        for (var m = 0; m < sets.Length; m++)
        {
            if (m % 3 != 0)
            {
                Assert.Equal(sets[m - 1], sets[m]);
            }
            else if (m > 0)
            {
                // A new phase: none of the previous hot experts stays hot.
                Assert.Empty(sets[m].Intersect(sets[m - 1]));
            }
        }

        Assert.Equal(3, sets.Select(s => string.Join(",", s)).Distinct().Count());
    }

    [Fact]
    public void Generate_Burst_SomeMicrobatchesSpikeToTheTargetAndOthersStayMild()
    {
        const double target = 2.0;
        var workload = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.Burst, TargetImbalance = target, Microbatches = 20, Seed = 3 });

        var imbalances = workload.Microbatches.Select(m => WorkloadAssertions.InitialImbalance(m)).ToArray();
        var spikes = imbalances.Where(i => i > 1.6).ToArray();
        var mild = imbalances.Where(i => i <= 1.6).ToArray();

        Assert.NotEmpty(spikes);
        Assert.NotEmpty(mild);
        Assert.All(spikes, i => Assert.InRange(i, target * 0.99, target * 1.01));
        Assert.All(mild, i => Assert.InRange(i, 1.25 * 0.99, 1.25 * 1.01));
    }

    [Fact]
    public void Generate_BurstProbabilityZero_NeverSpikes_One_AlwaysSpikes()
    {
        var never = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.Burst, BurstProbability = 0.0, Microbatches = 6 });
        var always = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.Burst, BurstProbability = 1.0, Microbatches = 6 });

        Assert.All(never.Microbatches, m => Assert.True(WorkloadAssertions.InitialImbalance(m) < 1.3));
        Assert.All(always.Microbatches, m => Assert.True(WorkloadAssertions.InitialImbalance(m) > 1.95));
    }

    [Fact]
    public void Generate_ZeroLoadRank_OneRanksMastersGetNothingInEveryMicrobatch()
    {
        var workload = MoeWorkloadGenerator.Generate(Mid with { Family = MoeWorkloadFamily.ZeroLoadRank, Microbatches = 4, Layers = 2 });

        for (var l = 0; l < 2; l++)
        {
            var idle = Array.IndexOf(WorkloadAssertions.MasterLoads(workload.Microbatches[0], l), 0L);
            Assert.True(idle >= 0, $"layer {l}: no idle rank");
            foreach (var microbatch in workload.Microbatches)
            {
                var loads = WorkloadAssertions.MasterLoads(microbatch, l);
                Assert.Equal(0, loads[idle]);
                Assert.All(loads.Where((_, r) => r != idle), load => Assert.True(load > 0));
                for (var e = idle * Mid.ExpertsPerRank; e < (idle + 1) * Mid.ExpertsPerRank; e++)
                {
                    Assert.Equal(0, microbatch.Layers[l].ExpertLoads[e]);
                }

                Assert.InRange(WorkloadAssertions.InitialImbalance(microbatch, l), 1.25 * 0.99, 1.25 * 1.01);
            }
        }
    }

    [Fact]
    public void Generate_ZeroLoadRankWithTopKBeyondTheOtherExperts_NamesTopK()
    {
        var settings = new MoeWorkloadSettings { Family = MoeWorkloadFamily.ZeroLoadRank, Ranks = 2, RanksPerNode = 2, RanksPerDomain = 2, ExpertsPerRank = 2, TopK = 3 };

        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadGenerator.Generate(settings));

        Assert.Equal("top-k", ex.Field);
    }

    [Theory]
    [InlineData(MoeWorkloadFamily.Zipf)]
    [InlineData(MoeWorkloadFamily.HotSet)]
    [InlineData(MoeWorkloadFamily.HotRank)]
    [InlineData(MoeWorkloadFamily.Rotating)]
    [InlineData(MoeWorkloadFamily.Burst)]
    public void Generate_ImbalanceBeyondReach_NamesImbalance(MoeWorkloadFamily family)
    {
        // 2 ranks x 1 expert with top-2: every token visits both experts, so the imbalance is always 1.
        var settings = new MoeWorkloadSettings { Family = family, Ranks = 2, RanksPerNode = 2, RanksPerDomain = 2, ExpertsPerRank = 1, TopK = 2, HotExperts = 1, TargetImbalance = 1.5 };

        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadGenerator.Generate(settings));

        Assert.Equal("imbalance", ex.Field);
        Assert.StartsWith("cannot reach 1.5 with 2 ranks x 1 experts and top-2", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ranks")]
    [InlineData("ranks-per-node")]
    [InlineData("experts-per-rank")]
    [InlineData("layers")]
    [InlineData("tokens-per-rank")]
    [InlineData("top-k")]
    [InlineData("redundant-slots")]
    [InlineData("imbalance")]
    [InlineData("microbatches")]
    [InlineData("hot-experts")]
    [InlineData("rotate-every")]
    [InlineData("drift")]
    [InlineData("burst-probability")]
    [InlineData("family")]
    [InlineData("ranksPerNode")]
    public void Generate_BadSetting_ThrowsNamingTheOption(string field)
    {
        var good = new MoeWorkloadSettings { Ranks = 8, RanksPerNode = 8, RanksPerDomain = 8, TokensPerRank = 64 };
        var bad = field switch
        {
            "ranks" => good with { Ranks = 0 },
            "ranks-per-node" => good with { RanksPerNode = -1 },
            "experts-per-rank" => good with { ExpertsPerRank = 0 },
            "layers" => good with { Layers = 0 },
            "tokens-per-rank" => good with { TokensPerRank = 0 },
            "top-k" => good with { TopK = 33 },
            "redundant-slots" => good with { RedundantSlotsPerRank = -1 },
            "imbalance" => good with { TargetImbalance = double.NaN },
            "microbatches" => good with { Microbatches = 0 },
            "hot-experts" => good with { Family = MoeWorkloadFamily.HotSet, HotExperts = 32 },
            "rotate-every" => good with { RotateEvery = 0 },
            "drift" => good with { Drift = -0.1 },
            "burst-probability" => good with { BurstProbability = 1.5 },
            "family" => good with { Family = (MoeWorkloadFamily)42 },
            _ => good with { RanksPerNode = 3 },
        };

        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadGenerator.Generate(bad));

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Generate_HotExpertsAtExpertCount_IsFineForFamiliesThatDoNotUseThem()
    {
        // 4 experts and the default 8 hot experts: zipf ignores the setting, as the one-case generator always did.
        var workload = MoeWorkloadGenerator.Generate(new MoeWorkloadSettings { Ranks = 2, RanksPerNode = 2, RanksPerDomain = 2, ExpertsPerRank = 2, TopK = 2, TokensPerRank = 100, TargetImbalance = 1.2 });

        WorkloadAssertions.AssertRoutingInvariants(workload);
    }

    [Fact]
    public void Families_NamesRoundTripAndUnknownNamesTheField()
    {
        foreach (var family in Enum.GetValues<MoeWorkloadFamily>())
        {
            Assert.Equal(family, MoeWorkloadFamilies.Parse(MoeWorkloadFamilies.Name(family)));
        }

        Assert.Equal(["zipf", "hot-set", "hot-rank", "rotating", "burst", "zero-load-rank"], MoeWorkloadFamilies.Names.ToArray());
        Assert.False(MoeWorkloadFamilies.TryParse("Zipf", out _));
        var ex = Assert.Throws<PlanningInputException>(() => MoeWorkloadFamilies.Parse("magic"));
        Assert.Equal("family", ex.Field);
        Assert.Contains("got \"magic\"", ex.Problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => MoeWorkloadFamilies.Name((MoeWorkloadFamily)42));
    }

    private static double Correlation(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }
}
