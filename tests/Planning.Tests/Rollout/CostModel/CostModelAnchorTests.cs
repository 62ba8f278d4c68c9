using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class CostModelAnchorTests
{
    public static TheoryData<string> AnchorIds() => [.. ModernCostModelCatalog.Anchors.Select(a => a.Id)];

    private static CostModelAnchor Anchor(string id) => ModernCostModelCatalog.Anchors.Single(a => a.Id == id);

    [Theory]
    [MemberData(nameof(AnchorIds))]
    public void ModelSeconds_EveryAnchor_WithinItsTolerance(string id)
    {
        var anchor = Anchor(id);

        var modelled = anchor.ModelSeconds(ModernCostModel.EmbeddedConstants);

        Assert.Equal(0.15, anchor.Tolerance);
        Assert.True(
            Math.Abs(modelled - anchor.MeasuredSeconds) <= anchor.Tolerance * anchor.MeasuredSeconds,
            $"{id}: model {modelled * 1e3:F2} ms, measured {anchor.MeasuredSeconds * 1e3:F2} ms ({anchor.Source})");
    }

    [Fact]
    public void Anchors_EveryRowHasASourceUrlAndAMeasurement()
    {
        var anchors = ModernCostModelCatalog.Anchors;

        Assert.Equal(9, anchors.Length);
        Assert.Equal(anchors.Length, anchors.Select(a => a.Id).Distinct().Count());
        Assert.All(anchors, a =>
        {
            Assert.StartsWith("https://", a.Source, StringComparison.Ordinal);
            Assert.True(a.MeasuredSeconds > 0);
            Assert.Contains(a.TensorParallel, new[] { 1, 2, 4, 8 });
        });
    }

    [Fact]
    public void ModelSeconds_NimConcurrency1Itl_IsOneDecodeIterationByHand()
    {
        // Llama-3.3-70B, FP8 on 2 x H100, 5,000 in / 500 out, concurrency 1: no other request's prefill interleaves, so
        // the ITL is one decode iteration at the mean context 5,250: weights 70.6e9 x 1 B and KV 5,250 x 163,840 B
        // (FP8) split 2 ways over eta_mem x 3.35e12, 80 layers of overhead and of all-reduce (one token of 8,192 bf16
        // activations, 2 all-reduces each moving 2 x 1/2 of its bytes over 450e9 B/s).
        var c = ModernCostModel.EmbeddedConstants;
        var bandwidth = c.MemoryEfficiency * 3.35e12;
        var expected = (80 * c.LayerOverheadSeconds) + (70.6e9 / 2 / bandwidth) + (5250.0 * 163_840 / 2 / bandwidth)
            + (80 * (c.AllReduceSecondsPerLayer + (2.0 * 2 * 8192 * 2 * 1 / 2 / 450e9)));

        Assert.Equal(expected, Anchor("nim-llama3.3-70b-fp8-tp2-5000in-500out-c1-itl").ModelSeconds(c), 12);
    }

    [Fact]
    public void ModelSeconds_NimConcurrency50Itl_AddsTheOthersPrefillsSpreadOverTheirOutput()
    {
        // Concurrency 50: one iteration of 50 sequences at 50 x 5,250 context, plus 49 / 500 of a 5,000-token prefill.
        var c = ModernCostModel.EmbeddedConstants;
        var anchor = Anchor("nim-llama3.3-70b-fp8-tp2-5000in-500out-c50-itl");
        var model = ModernCostModel.Create(anchor.Model, anchor.Hardware, c);
        var ttft = Anchor("nim-llama3.3-70b-fp8-tp2-5000in-500out-c1-ttft").ModelSeconds(c);

        Assert.Equal(model.DecodeIterationSeconds(50, 50 * 5250, 2) + (49.0 / 500 * ttft), anchor.ModelSeconds(c), 12);
        Assert.Equal(model.PrefillSeconds(5000, 0, 2), ttft, 12);
    }

    [Fact]
    public void ModelSeconds_VllmLatency_IsAPrefillAnd127GrowingDecodeIterations()
    {
        // vllm bench latency, batch 8 of 32 in / 128 out on H200 (4.8e12 B/s): one prefill of 8 x 32 tokens, then 127
        // iterations of 8 sequences at context 8 x (32 + k).
        var c = ModernCostModel.EmbeddedConstants;
        var anchor = Anchor("vllm-llama3.1-8b-bf16-tp1-h200-latency");
        var model = ModernCostModel.Create(anchor.Model, anchor.Hardware, c);

        Assert.Equal(4.8e12, anchor.Hardware.MemoryBytesPerSecond);
        var expected = model.Prefill(256, 8 * CalibratedCostModelRoofline.AttentionFlops(anchor.Model, 32, 0), 0, 1)
            + Enumerable.Range(1, 127).Sum(k => model.DecodeIterationSeconds(8, 8 * (32 + k), 1));
        Assert.Equal(expected, anchor.ModelSeconds(c), 12);
    }
}
