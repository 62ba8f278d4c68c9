using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Graph;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class CalibratedCostModelTests
{
    /// <summary>An embedded model and one of its offered degrees.</summary>
    public static Arbitrary<(string Model, int TensorParallel)> ModelDegrees() =>
        Gen.Elements(CalibratedCostModel.ModelNames.SelectMany(n => CalibratedCostModel.ForModel(n).TensorParallelDegrees.Select(tp => (n, tp))).ToArray())
            .ToArbitrary();

    [Fact]
    public void Calibration_EveryRowWithinTheReportedMaximum_AndTheMeanIsTheReportedMape()
    {
        var calibration = CalibratedCostModel.Calibration;

        Assert.Equal(310, calibration.Rows.Length);
        Assert.Equal(5, calibration.ExcludedRows);
        Assert.All(calibration.Rows, r =>
        {
            Assert.InRange(Math.Abs(r.PredictedDecodeSeconds - r.MeasuredDecodeSeconds) / r.MeasuredDecodeSeconds, 0, calibration.DecodeMaxAbsolutePercentageError + 1e-12);
            Assert.InRange(Math.Abs(r.PredictedPrefillSeconds - r.MeasuredPrefillSeconds) / r.MeasuredPrefillSeconds, 0, calibration.PrefillMaxAbsolutePercentageError + 1e-12);
        });
        Assert.Equal(calibration.Rows.Average(r => Math.Abs(r.PredictedDecodeSeconds / r.MeasuredDecodeSeconds - 1)), calibration.DecodeMeanAbsolutePercentageError, 12);
        Assert.Equal(calibration.Rows.Average(r => Math.Abs(r.PredictedPrefillSeconds / r.MeasuredPrefillSeconds - 1)), calibration.PrefillMeanAbsolutePercentageError, 12);
    }

    [Fact]
    public void Calibration_Mape_BelowBounds()
    {
        // Repeats of one configuration differ by 0.4% (decode) and 2.4% (prefill) on average, so no model can go much
        // below that; the four- and five-constant roofline reaches 2.7% and 6.1%. The bounds (4% and 8%) keep about a
        // third of headroom so a change to the form or the data that loses accuracy fails here.
        var calibration = CalibratedCostModel.Calibration;

        Assert.InRange(calibration.DecodeMeanAbsolutePercentageError, 0, 0.04);
        Assert.InRange(calibration.PrefillMeanAbsolutePercentageError, 0, 0.08);
        Assert.InRange(calibration.DecodeMaxAbsolutePercentageError, 0, 0.20);
        Assert.InRange(calibration.PrefillMaxAbsolutePercentageError, 0, 0.35);
    }

    [Fact]
    public void Calibration_ConstantsArePhysical()
    {
        var c = CalibratedCostModel.Calibration;

        Assert.InRange(c.MemoryEfficiency, 0.3, 1.0);
        Assert.InRange(c.DecodeComputeEfficiency, 0.01, 1.0);
        Assert.InRange(c.PrefillComputeEfficiency, 0.1, 1.0);
        Assert.InRange(c.PrefillInterconnectEfficiency, 0.01, 1.0);
        Assert.True(c.DecodeOverheadSecondsPerLayer >= 0 && c.DecodeAllReduceSecondsPerLayer >= 0 && c.PrefillFloorSecondsPerLayer >= 0);
        Assert.Contains("decode error", c.Report(), StringComparison.Ordinal);
    }

    [Fact]
    public void PublicModel_70b_ReproducesTheCalibrationPredictionsAtItsDegrees()
    {
        var model = CalibratedCostModel.ForModel("70b");
        var rows = CalibratedCostModel.Calibration.Rows.Where(r => model.TensorParallelDegrees.Contains(r.TensorParallel)).ToArray();

        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            // The mean decode context of a row: every sequence at its prompt plus half its output.
            var context = (long)r.BatchSize * (r.PromptSize + (r.TokenSize / 2));
            Assert.Equal(r.PredictedDecodeSeconds, model.DecodeIterationSeconds(r.BatchSize, context, r.TensorParallel), 12);
            if (r.BatchSize == 1)
            {
                Assert.Equal(r.PredictedPrefillSeconds, model.PrefillSeconds(r.PromptSize, 0, r.TensorParallel), 12);
            }
        });
    }

    [Fact]
    public void EmbeddedRows_RepositoryData_AreExactlyTheSourceSubset()
    {
        var path = RepositoryData.File("splitwise", "perf_model.csv");

        var source = File.ReadLines(path).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] == "llama2-70b" && f[1] == "h100-80gb")
            .Select(f => (Tp: int.Parse(f[10], CultureInfo.InvariantCulture), S: int.Parse(f[2], CultureInfo.InvariantCulture), B: int.Parse(f[3], CultureInfo.InvariantCulture), T: int.Parse(f[4], CultureInfo.InvariantCulture), P: double.Parse(f[7], CultureInfo.InvariantCulture) / 1000, D: double.Parse(f[8], CultureInfo.InvariantCulture) / 1000))
            .Where(r => !(r.Tp == 2 && r.B == 64))
            .ToArray();
        var fitted = CalibratedCostModel.Calibration.Rows.Select(r => (Tp: r.TensorParallel, S: r.PromptSize, B: r.BatchSize, T: r.TokenSize, P: r.MeasuredPrefillSeconds, D: r.MeasuredDecodeSeconds)).ToArray();

        Assert.Equal(source, fitted);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(CalibratedCostModelTests)])]
    public bool DecodeIterationSeconds_MoreBatchOrContext_NeverFaster((string Model, int TensorParallel) pick, PositiveInt batch, PositiveInt extraBatch, NonNegativeInt context, NonNegativeInt extraContext)
    {
        var model = CalibratedCostModel.ForModel(pick.Model);
        var b = 1 + (batch.Get % 512);
        var c = (long)context.Get % 2_000_000;

        var baseline = model.DecodeIterationSeconds(b, c, pick.TensorParallel);
        var more = model.DecodeIterationSeconds(b + (extraBatch.Get % 64), c + (extraContext.Get % 100_000), pick.TensorParallel);

        return baseline > 0 && more >= baseline;
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(CalibratedCostModelTests)])]
    public bool PrefillSeconds_MoreNewOrCachedTokens_NeverFaster((string Model, int TensorParallel) pick, PositiveInt tokens, NonNegativeInt extra, NonNegativeInt cached, NonNegativeInt extraCached)
    {
        var model = CalibratedCostModel.ForModel(pick.Model);
        var n = (long)(tokens.Get % 65_536) + 1;
        var c = (long)cached.Get % 65_536;

        var baseline = model.PrefillSeconds(n, c, pick.TensorParallel);
        var more = model.PrefillSeconds(n + (extra.Get % 8192), c + (extraCached.Get % 8192), pick.TensorParallel);

        return baseline > 0 && more >= baseline && model.PrefillSeconds(0, c, pick.TensorParallel) == 0;
    }

    [Property(MaxTest = 200)]
    public bool HigherTensorParallel_NeverSlower_ForLargeBatchesAndLongPrompts(PositiveInt batch, PositiveInt prompt)
    {
        // Where weights or FLOPs dominate, splitting them over more GPUs wins despite the all-reduces.
        var b = 64 + (batch.Get % 448);
        var n = 8192 + (long)(prompt.Get % 57_344);
        return CalibratedCostModel.ModelNames.All(name =>
        {
            var model = CalibratedCostModel.ForModel(name);
            var degrees = model.TensorParallelDegrees;
            return degrees.Zip(degrees.Skip(1)).All(p =>
                model.DecodeIterationSeconds(b, b * 2000L, p.Second) <= model.DecodeIterationSeconds(b, b * 2000L, p.First)
                && model.PrefillSeconds(n, 0, p.Second) <= model.PrefillSeconds(n, 0, p.First));
        });
    }

    [Fact]
    public void DecodeIterationSeconds_70bAtBatch1_Tp8WithinFivePercentOfTp4AsMeasured()
    {
        // Measured (splitwise, llama2-70b on h100): TP 4 takes 28.4-30.0 ms a token at batch 1 and TP 8 28.4-31.8 ms:
        // at batch 1 the per-layer overheads and all-reduce latency cancel what TP 8 saves on weight reads. The brief
        // asked for "higher TP never slower at batch 1"; the measurements do not support it, so this pins what they show.
        var model = CalibratedCostModel.ForModel("70b");

        var tp4 = model.DecodeIterationSeconds(1, 600, 4);
        var tp8 = model.DecodeIterationSeconds(1, 600, 8);

        Assert.InRange(tp4, 0.0284, 0.0300);
        Assert.InRange(tp8 / tp4, 0.95, 1.05);
    }

    [Fact]
    public void DecodeIterationSeconds_SmallModels_Tp2FasterThanTp1AtBatch1()
    {
        foreach (var name in new[] { "8b", "14b" })
        {
            var model = CalibratedCostModel.ForModel(name);
            Assert.True(model.DecodeIterationSeconds(1, 2000, 2) < model.DecodeIterationSeconds(1, 2000, 1), name);
        }
    }

    [Theory]
    [InlineData("8b", 131_072, new[] { 1, 2, 4, 8 })]
    [InlineData("14b", 196_608, new[] { 1, 2, 4, 8 })]
    [InlineData("32b", 262_144, new[] { 2, 4, 8 })]
    [InlineData("70b", 327_680, new[] { 4, 8 })]
    public void KvCapacityTokens_ByHand_PositiveAndGrowingWithDegree(string name, long kvBytes, int[] degrees)
    {
        var model = CalibratedCostModel.ForModel(name);

        Assert.Equal(kvBytes, model.KvBytesPerToken);
        Assert.Equal(degrees, model.TensorParallelDegrees.ToArray());
        var capacities = degrees.Select(model.KvCapacityTokens).ToArray();
        for (var i = 0; i < degrees.Length; i++)
        {
            // (TP x (80 GB x 0.9 - 2 GB) - weights) / KV bytes a token, by hand.
            var expected = (long)Math.Floor(((degrees[i] * 70e9) - (model.Model.Parameters * 2)) / kvBytes);
            Assert.Equal(expected, capacities[i]);
            Assert.True(capacities[i] >= 65_536);
        }

        Assert.Equal(capacities.Order().ToArray(), capacities);
    }

    [Theory]
    [InlineData("70b", 1)]
    [InlineData("70b", 2)]
    [InlineData("32b", 1)]
    [InlineData("8b", 3)]
    [InlineData("8b", 16)]
    [InlineData("8b", -1)]
    public void ImpossibleDegree_RejectedNamingTensorParallelAndTheModel(string name, int tensorParallel)
    {
        var model = CalibratedCostModel.ForModel(name);

        var capacity = Assert.Throws<PlanningInputException>(() => model.KvCapacityTokens(tensorParallel));
        var decode = Assert.Throws<PlanningInputException>(() => model.DecodeIterationSeconds(1, 10, tensorParallel));
        var prefill = Assert.Throws<PlanningInputException>(() => model.PrefillSeconds(10, 0, tensorParallel));

        Assert.All(new[] { capacity, decode, prefill }, ex =>
        {
            Assert.Equal("tensorParallel", ex.Field);
            Assert.Contains($"model {name}", ex.Problem, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ForModel_Unknown_RejectedNamingModel()
    {
        var ex = Assert.Throws<PlanningInputException>(() => CalibratedCostModel.ForModel("405b"));

        Assert.Equal("model", ex.Field);
        Assert.Contains("8b, 14b, 32b, 70b", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SameShapeAs70b_SameCosts_TooLargeRejected()
    {
        var named = CalibratedCostModel.ForModel("70b");
        var custom = CalibratedCostModel.Create(new InferenceModelSpec("mine", "copy", 80, 8192, 8, 128, 69e9));

        Assert.Equal(named.DecodeIterationSeconds(7, 9000, 8), custom.DecodeIterationSeconds(7, 9000, 8));
        Assert.Equal(named.PrefillSeconds(700, 90, 4), custom.PrefillSeconds(700, 90, 4));
        Assert.Equal("model", Assert.Throws<PlanningInputException>(() => CalibratedCostModel.Create(new InferenceModelSpec("huge", "x", 126, 16384, 8, 128, 405e9))).Field);
    }

    [Fact]
    public void ForModel_TheEmbeddedH100Spec_SameCostsAsTheDefault()
    {
        // The default hardware is the view of the embedded h100: a cost model on an explicitly loaded h100 is the same.
        var explicitH100 = InferenceHardware.From(HardwareSpec.Load("h100"));

        foreach (var name in CalibratedCostModel.ModelNames)
        {
            var standard = CalibratedCostModel.ForModel(name);
            var model = CalibratedCostModel.ForModel(name, explicitH100);

            Assert.Equal(standard.TensorParallelDegrees, model.TensorParallelDegrees);
            foreach (var tp in model.TensorParallelDegrees)
            {
                Assert.Equal(standard.DecodeIterationSeconds(32, 64_000, tp), model.DecodeIterationSeconds(32, 64_000, tp));
                Assert.Equal(standard.PrefillSeconds(3000, 500, tp), model.PrefillSeconds(3000, 500, tp));
                Assert.Equal(standard.KvCapacityTokens(tp), model.KvCapacityTokens(tp));
            }
        }
    }

    [Fact]
    public void ForModel_FasterMemoryAndMoreOfIt_FasterDecodeAndMoreKvCache()
    {
        // The calibrated efficiencies apply to any GPU's figures: twice the HBM bandwidth halves the memory-bound part
        // of a decode iteration (weights and KV reads), and more HBM holds more KV cache; the fit is unchanged.
        var h100 = HardwareSpec.Load("h100");
        var faster = h100 with { Devices = [h100.Devices[0] with { MemoryBytesPerSecond = 2 * 3.35e12, MemoryBytes = 141e9 }] };
        var standard = CalibratedCostModel.ForModel("8b");
        var model = CalibratedCostModel.ForModel("8b", InferenceHardware.From(faster));

        Assert.True(model.DecodeIterationSeconds(1, 4000, 1) < standard.DecodeIterationSeconds(1, 4000, 1));
        Assert.Equal((long)Math.Floor((141e9 * 0.9 - 2e9 - 16e9) / 131_072), model.KvCapacityTokens(1));
        Assert.Equal(standard.PrefillSeconds(100_000, 0, 1), model.PrefillSeconds(100_000, 0, 1), 12);
    }

    [Fact]
    public void ForModel_FourGpuNodes_DegreesUpToFour()
    {
        var h100 = HardwareSpec.Load("h100");
        var fourGpuNodes = h100 with { Devices = [h100.Devices[0] with { Count = 4 }], DevicesPerDomain = 4 };

        Assert.Equal([1, 2, 4], CalibratedCostModel.ForModel("8b", InferenceHardware.From(fourGpuNodes)).TensorParallelDegrees);
        Assert.Equal("model", Assert.Throws<PlanningInputException>(
            () => CalibratedCostModel.ForModel("70b", InferenceHardware.From(fourGpuNodes with { Devices = [h100.Devices[0] with { Count = 2 }], DevicesPerDomain = 2 }))).Field);
    }
}
