using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class ModernCostModelTests
{
    /// <summary>An embedded model and one of its offered degrees under the modern cost model.</summary>
    public static Arbitrary<(string Model, int TensorParallel)> ModelDegrees() =>
        Gen.Elements(CalibratedCostModel.ModelNames.SelectMany(n => ModernCostModel.ForModel(n).TensorParallelDegrees.Select(tp => (n, tp))).ToArray())
            .ToArbitrary();

    [Property(MaxTest = 300, Arbitrary = [typeof(ModernCostModelTests)])]
    public bool DecodeIterationSeconds_MoreBatchOrContext_NeverFaster((string Model, int TensorParallel) pick, PositiveInt batch, PositiveInt extraBatch, NonNegativeInt context, NonNegativeInt extraContext)
    {
        var model = ModernCostModel.ForModel(pick.Model);
        var b = 1 + (batch.Get % 512);
        var c = (long)context.Get % 2_000_000;

        var baseline = model.DecodeIterationSeconds(b, c, pick.TensorParallel);
        var more = model.DecodeIterationSeconds(b + (extraBatch.Get % 64), c + (extraContext.Get % 100_000), pick.TensorParallel);

        return baseline > 0 && more >= baseline;
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(ModernCostModelTests)])]
    public bool PrefillSeconds_MoreNewOrCachedTokens_NeverFaster((string Model, int TensorParallel) pick, PositiveInt tokens, NonNegativeInt extra, NonNegativeInt cached, NonNegativeInt extraCached)
    {
        var model = ModernCostModel.ForModel(pick.Model);
        var n = (long)(tokens.Get % 65_536) + 1;
        var c = (long)cached.Get % 65_536;

        var baseline = model.PrefillSeconds(n, c, pick.TensorParallel);
        var more = model.PrefillSeconds(n + (extra.Get % 8192), c + (extraCached.Get % 8192), pick.TensorParallel);

        return baseline > 0 && more >= baseline && model.PrefillSeconds(0, c, pick.TensorParallel) == 0;
    }

    [Property(MaxTest = 200)]
    public bool DecodeIterationSeconds_Batch1_NeverSlowerAtAHigherDegree(NonNegativeInt context)
    {
        // The one-shot all-reduce is flat in the degree, so at batch 1 (weights dominate) every doubling of the degree
        // saves more weight-read time than it adds: per-token time keeps falling with TP, for every embedded model, as
        // today's engines measure (the Splitwise fit makes TP 8 no faster than TP 4 for 70B).
        var c = (long)(context.Get % 65_536);
        return CalibratedCostModel.ModelNames.All(name =>
        {
            var model = ModernCostModel.ForModel(name);
            var degrees = model.TensorParallelDegrees;
            return degrees.Zip(degrees.Skip(1)).All(p => model.DecodeIterationSeconds(1, c, p.Second) < model.DecodeIterationSeconds(1, c, p.First));
        });
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(ModernCostModelTests)])]
    public bool KvCapacityTokens_PositiveAndAtLeastTheEnginesLeast((string Model, int TensorParallel) pick)
    {
        var model = ModernCostModel.ForModel(pick.Model);
        return model.KvCapacityTokens(pick.TensorParallel) >= CalibratedCostModel.DefaultHardware.MinKvTokens;
    }

    [Theory]
    [InlineData("8b", 131_072, new[] { 1, 2, 4, 8 })]
    [InlineData("14b", 196_608, new[] { 1, 2, 4, 8 })]
    [InlineData("32b", 262_144, new[] { 2, 4, 8 })]
    [InlineData("70b", 327_680, new[] { 4, 8 })]
    public void KvCapacityTokens_ByHand_AtTheStatedMemoryFraction(string name, long kvBytes, int[] degrees)
    {
        var model = ModernCostModel.ForModel(name);

        Assert.Equal(kvBytes, model.KvBytesPerToken);
        Assert.Equal(degrees, model.TensorParallelDegrees.ToArray());
        foreach (var tp in degrees)
        {
            // (TP x (80 GB x 0.9 - 2 GB) - weights) / KV bytes a token, by hand.
            Assert.Equal((long)Math.Floor(((tp * 70e9) - (model.Model.Parameters * 2)) / kvBytes), model.KvCapacityTokens(tp));
        }
    }

    [Fact]
    public void DecodeIterationSeconds_8bAtTp1_ByHand()
    {
        // The formula of the class summary evaluated by hand for 8b on h100 (bf16), batch 4 at 8,000 context tokens:
        // weights 16e9 B and KV 8,000 x 131,072 B over eta_mem x 3.35e12 B/s, 32 layers of overhead, no all-reduce
        // (compute 2 x 8e9 x 4 / (eta_c x 989e12) is far below the weight read).
        var c = ModernCostModel.EmbeddedConstants;
        var expected = (32 * c.LayerOverheadSeconds) + (16e9 / (c.MemoryEfficiency * 3.35e12)) + (8000.0 * 131_072 / (c.MemoryEfficiency * 3.35e12));

        Assert.Equal(expected, ModernCostModel.ForModel("8b").DecodeIterationSeconds(4, 8000, 1), 12);
    }

    [Fact]
    public void DecodeIterationSeconds_70bAtTp8_ByHand_AllReduceFlatInTheDegree()
    {
        // At TP 8, batch 2, 3,000 context tokens: weights and KV split 8 ways, plus per layer the flat all-reduce latency
        // and two all-reduces of 2 x 8,192 bf16 activations moving 2 x 7/8 of their bytes over 450e9 B/s NVLink.
        var c = ModernCostModel.EmbeddedConstants;
        var bandwidth = c.MemoryEfficiency * 3.35e12;
        var allReduce = 80 * (c.AllReduceSecondsPerLayer + (2.0 * 2 * 2 * 8192 * 2 * 7 / 8 / 450e9));
        var expected = (80 * c.LayerOverheadSeconds) + (69e9 * 2 / 8 / bandwidth) + (3000.0 * 327_680 / 8 / bandwidth) + allReduce;

        Assert.Equal(expected, ModernCostModel.ForModel("70b").DecodeIterationSeconds(2, 3000, 8), 12);
    }

    [Fact]
    public void PrefillSeconds_LongPrompt_ComputeBoundByHand()
    {
        // 8,192 new tokens on 1,000 cached, 8b at TP 2: (2 x params x n + causal attention) / TP over eta_c x 989e12
        // (more than the weight read), plus reading the cached KV, the overhead and the all-reduces of 8,192 tokens.
        var c = ModernCostModel.EmbeddedConstants;
        var flops = (2 * 8e9 * 8192) + (4.0 * 32 * 4096 * 8192 * (1000 + 4096));
        var allReduce = 32 * (c.AllReduceSecondsPerLayer + (2.0 * 2 * 8192 * 4096 * 2 * 1 / 2 / 450e9));
        var expected = (32 * c.LayerOverheadSeconds) + (flops / 2 / (c.ComputeEfficiency * 989e12)) + (1000.0 * 131_072 / 2 / (c.MemoryEfficiency * 3.35e12)) + allReduce;

        Assert.Equal(expected, ModernCostModel.ForModel("8b").PrefillSeconds(8192, 1000, 2), 12);
    }

    [Theory]
    [InlineData("8b", 1)]
    [InlineData("8b", 8)]
    [InlineData("32b", 2)]
    [InlineData("70b", 4)]
    [InlineData("70b", 8)]
    public void DecodeIterationSeconds_FasterThanTheSplitwiseFit_AtBatch1AndAtBatch64(string name, int tensorParallel)
    {
        // The finding, as the fits show it: the 2023 engine of the Splitwise rows is slower per token at batch 1
        // and far slower in batched throughput than today's engines.
        var modern = ModernCostModel.ForModel(name);
        var splitwise = CalibratedCostModel.ForModel(name);

        Assert.True(modern.DecodeIterationSeconds(1, 2000, tensorParallel) < splitwise.DecodeIterationSeconds(1, 2000, tensorParallel));
        Assert.True(modern.DecodeIterationSeconds(64, 64 * 2000, tensorParallel) < splitwise.DecodeIterationSeconds(64, 64 * 2000, tensorParallel));
    }

    [Fact]
    public void Create_Fp8Engine_HalvesWeightBytesAndDoublesTheRate()
    {
        // One byte a weight: the weight read halves and the tensor cores run at twice the bf16 peak (Hopper FP8).
        var h100 = HardwareSpec.Load("h100");
        var fp8 = InferenceHardware.From(h100, ServingEngineSettings.Default with { BytesPerParameter = 1, KvBytesPerElement = 1 });
        var spec = CalibratedCostModel.ForModel("8b").Model;
        var bf16Model = ModernCostModel.Create(spec);
        var fp8Model = ModernCostModel.Create(spec, fp8);
        var c = ModernCostModel.EmbeddedConstants;

        Assert.Equal(8e9, fp8Model.WeightBytes);
        Assert.Equal(65_536, fp8Model.KvBytesPerToken);
        var bf16Compute = (2 * 8e9 * 32_768) / (c.ComputeEfficiency * 989e12);
        var fp8Compute = (2 * 8e9 * 32_768) / (c.ComputeEfficiency * 989e12 * 2);
        var attention = 4.0 * 32 * 4096 * 32_768 * 16_384;
        Assert.Equal(bf16Compute - fp8Compute + (attention / (c.ComputeEfficiency * 989e12 * 2)), bf16Model.PrefillSeconds(32_768, 0, 1) - fp8Model.PrefillSeconds(32_768, 0, 1), 9);
    }

    [Theory]
    [InlineData("70b", 2)]
    [InlineData("32b", 1)]
    [InlineData("8b", 3)]
    [InlineData("8b", 16)]
    public void ImpossibleDegree_RejectedNamingTensorParallelAndTheModel(string name, int tensorParallel)
    {
        var model = ModernCostModel.ForModel(name);

        var errors = new[]
        {
            Assert.Throws<PlanningInputException>(() => model.KvCapacityTokens(tensorParallel)),
            Assert.Throws<PlanningInputException>(() => model.DecodeIterationSeconds(1, 10, tensorParallel)),
            Assert.Throws<PlanningInputException>(() => model.PrefillSeconds(10, 0, tensorParallel)),
        };

        Assert.All(errors, ex =>
        {
            Assert.Equal("tensorParallel", ex.Field);
            Assert.Contains($"model {name}", ex.Problem, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ForModel_Unknown_RejectedNamingModel()
    {
        var ex = Assert.Throws<PlanningInputException>(() => ModernCostModel.ForModel("405b"));

        Assert.Equal("model", ex.Field);
        Assert.Contains("8b, 14b, 32b, 70b", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, 0.5, 0.0, 0.0, "constants.memoryEfficiency")]
    [InlineData(0.8, 1.5, 0.0, 0.0, "constants.computeEfficiency")]
    [InlineData(0.8, 0.5, -1e-6, 0.0, "constants.layerOverheadSeconds")]
    [InlineData(0.8, 0.5, 0.0, double.NaN, "constants.allReduceSecondsPerLayer")]
    public void Create_BadConstant_RejectedNamingIt(double memory, double compute, double overhead, double allReduce, string field)
    {
        var spec = CalibratedCostModel.ForModel("8b").Model;

        var ex = Assert.Throws<PlanningInputException>(() => ModernCostModel.Create(spec, constants: new ModernCostModelConstants(memory, compute, overhead, allReduce)));

        Assert.Equal(field, ex.Field);
    }
}
