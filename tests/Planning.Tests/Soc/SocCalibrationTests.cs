using Planning.Graph;
using Planning.Soc;

namespace Planning.Tests.Soc;

public sealed class SocCalibrationTests
{
    // The error bound docs/soc-cost-model.md states for each anchor (|predicted / measured - 1|, rounded up).
    private static readonly Dictionary<string, double> StatedBound = new()
    {
        ["igpu-8b-prefill-1024"] = 0.02,
        ["igpu-phi3-prefill-1024"] = 0.02,
        ["igpu-8b-decode-1024"] = 0.035,
        ["igpu-8b-decode-32"] = 0.025,
        ["igpu-phi3-decode-1024"] = 0.055,
        ["igpu-8b-prefill-32"] = 0.52,
        ["igpu-phi3-prefill-4096-165h"] = 0.20,
        ["igpu-phi3-decode-4096-165h"] = 0.535,
        ["npu-qwen7b-decode"] = 0.185,
        ["npu-phi3-decode"] = 0.16,
        ["npu-qwen7b-prefill-1024"] = 0.53,
        ["npu-tinyllama-prefill-1024-125h"] = 0.87,
        ["cpu-qwen3-8b-decode"] = 0.005,
        ["cpu-qwen3-8b-decode-openvino"] = 0.80,
    };

    [Fact]
    public void Check_EveryAnchor_WithinItsStatedError()
    {
        var checks = SocCalibration.Check();

        Assert.Equal(StatedBound.Keys.Order(), checks.Select(c => c.Anchor.Id).Order());
        Assert.All(checks, c => Assert.True(
            Math.Abs(c.RelativeError) <= StatedBound[c.Anchor.Id],
            $"{c.Anchor.Id}: predicted {c.PredictedMilliseconds:0.0} ms against {c.Anchor.MeasuredMilliseconds:0.0} ms"));
    }

    [Fact]
    public void Check_EveryAccelerator_AtLeastTwoAnchors()
    {
        var checks = SocCalibration.Check();

        Assert.True(checks.Count(c => c.Anchor.Accelerator == DeviceKind.IntegratedGpu && c.Anchor.UsedInFit) >= 2);
        Assert.True(checks.Count(c => c.Anchor.Accelerator == DeviceKind.Npu && c.Anchor.UsedInFit) >= 2);
        Assert.True(checks.Count(c => c.Anchor.Accelerator == DeviceKind.Cpu) >= 2);
        Assert.Contains(checks, c => c.Anchor.Accelerator == DeviceKind.Npu && c.Anchor.Kind == SocAnchorKind.PrefillMilliseconds);
        Assert.Contains(checks, c => c.Anchor.Accelerator == DeviceKind.Cpu && c.Anchor.UsedInFit && c.Anchor.Kind == SocAnchorKind.DecodeMilliseconds);
    }

    [Fact]
    public void Check_NpuQwen7bPrefill_IsItsOperationsOverTheBorrowedNpuCompute()
    {
        // Recomputed by hand: a 1,024-token prefill of Qwen2-7B (28 layers, hidden 3584, 4 KV heads of 128, FFN 18944,
        // vocabulary 152064) is 2 x tokens x layer weights per layer, the LM head for the last token, and causal
        // attention (4 x hidden per query-key pair); the NPU borrows the iGPU's compute efficiency on its 11.5 TOPS
        // peak and pays two 300 us launches. The measurement is 8.79 s.
        const double h = 3584;
        var layerWeights = (2 * h * h) + (2 * h * 4 * 128) + (3 * h * 18944);
        var flops = (2.0 * 1024 * layerWeights * 28) + (2.0 * 152064 * h) + (4 * h * (1024.0 * 1025 / 2) * 28);
        var borrowed = SocCalibration.Efficiencies[DeviceKind.IntegratedGpu].ComputeEfficiency;

        var check = SocCalibration.Check().Single(c => c.Anchor.Id == "npu-qwen7b-prefill-1024");

        Assert.Equal(borrowed, SocCalibration.Efficiencies[DeviceKind.Npu].ComputeEfficiency);
        Assert.Equal((600e-6 + (flops / (borrowed * 11.5e12))) * 1000, check.PredictedMilliseconds, 9);
        Assert.Equal(8790.0, check.Anchor.MeasuredMilliseconds);
    }

    [Fact]
    public void Efficiencies_CpuBandwidth_IsTheLlamaCppDecodeAnchorsBytesOverItsTime()
    {
        // Recomputed by hand: one llama.cpp decode step of Qwen3-8B Q4_K_M (4.68 GiB for 8.19e9 parameters) at 64
        // tokens of context reads 36 layers' weights and the untied LM head at that precision, 65 tokens of FP16 KV
        // (8 KV heads of 128) and its activations; it took 1 / 3.86 s less a 20 us launch, against 84 GB/s.
        const double h = 4096;
        var bytesPerWeight = 4.68 * 1024 * 1024 * 1024 / 8.19e9;
        var layerWeights = (2 * h * h) + (2 * h * 8 * 128) + (3 * h * 12288);
        var bytes = (bytesPerWeight * ((36 * layerWeights) + (151936 * h)))
            + (65.0 * 36 * 8 * 128 * 2 * 2)
            + (h * 2 * 2 * 36);

        var expected = bytes / ((1 / 3.86) - 20e-6) / 84e9;

        Assert.Equal(expected, SocCalibration.Efficiencies[DeviceKind.Cpu].BandwidthEfficiency, 12);
    }

    [Fact]
    public void Qwen3_8B_Q4KM_ParametersWithEmbeddings_MatchThePublished819Billion()
    {
        var model = SocCalibration.Qwen3_8B_Q4KM;

        var parameters = (model.Layers * model.LayerWeights) + (2L * model.LmHeadWeights);

        Assert.InRange(parameters / 8.19e9, 0.995, 1.005);
        Assert.InRange(model.BytesPerWeight * 8, 4.90, 4.92);
    }

    [Fact]
    public void Predict_DecodeAnchor_IsLaunchPlusBytesOverFittedBandwidth()
    {
        // Recomputed by hand: one decode step of Llama-3.1-8B at 1024 tokens of context reads the INT4 weights, the
        // LM head, 1025 tokens of FP16 KV cache and its activations; it is memory-bound on the iGPU.
        var anchor = SocCalibration.Anchors.Single(a => a.Id == "igpu-8b-decode-1024");
        var figures = SocCalibration.Figures(SocSpec.Default, DeviceKind.IntegratedGpu);
        var model = LlmSpec.Llama31_8B;
        var bytes = (0.5 * ((32L * model.LayerWeights) + (128256L * 4096)))
            + (1025.0 * 32 * 8 * 128 * 2 * 2)
            + (4096.0 * 2 * 2 * 32);

        var predicted = SocCalibration.Predict(anchor, figures);

        Assert.Equal(figures.LaunchSeconds + (bytes / figures.EffectiveBytesPerSecond), predicted, 12);
    }

    [Fact]
    public void Efficiencies_Fitted_AreFractionsOfThePeaks()
    {
        Assert.All(SocCalibration.Efficiencies.Values, e =>
        {
            Assert.InRange(e.ComputeEfficiency, 0.01, 1);
            Assert.InRange(e.BandwidthEfficiency, 0.01, 1);
        });
    }
}
