using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Soc;

/// <summary>What an anchor measured: the time of a whole prompt's prefill, or of one decode step.</summary>
internal enum SocAnchorKind
{
    /// <summary>Time to first token: the prefill of <see cref="SocAnchor.Tokens"/> prompt tokens.</summary>
    PrefillMilliseconds,

    /// <summary>Time per output token at <see cref="SocAnchor.ContextTokens"/> tokens of context, batch 1.</summary>
    DecodeMilliseconds,
}

/// <summary>
/// One published measurement the cost model is fitted to (or checked against): a model on one accelerator of a
/// Meteor Lake Core Ultra, what was timed, and where it was published.
/// </summary>
/// <param name="Id">A short identifier for the docs and tests.</param>
/// <param name="Accelerator">The accelerator that ran it.</param>
/// <param name="Model">The model's shape (INT4 weights).</param>
/// <param name="Kind">What was timed.</param>
/// <param name="Tokens">Prompt tokens (prefill) or 1 (decode).</param>
/// <param name="ContextTokens">Context tokens at the timed decode step (0 for prefill).</param>
/// <param name="MeasuredMilliseconds">The published time.</param>
/// <param name="UsedInFit">Whether the fit uses it (otherwise it only checks the fit).</param>
/// <param name="Source">Where it was published, and on what machine.</param>
internal sealed record SocAnchor(
    string Id,
    DeviceKind Accelerator,
    LlmSpec Model,
    SocAnchorKind Kind,
    int Tokens,
    int ContextTokens,
    double MeasuredMilliseconds,
    bool UsedInFit,
    string Source);

/// <summary>The figures the roofline of one accelerator uses, as fractions of the SoC's peaks.</summary>
/// <param name="ComputeEfficiency">Effective operations per second over the accelerator's peak.</param>
/// <param name="BandwidthEfficiency">Effective DRAM bandwidth over the SoC's shared DRAM bandwidth.</param>
/// <param name="LaunchSeconds">The fixed cost of launching one kernel (an assumption, not fitted).</param>
internal readonly record struct AcceleratorEfficiency(double ComputeEfficiency, double BandwidthEfficiency, double LaunchSeconds);

/// <summary>The absolute figures of one accelerator's roofline on a given SoC.</summary>
/// <param name="EffectiveFlops">Operations per second its kernels sustain.</param>
/// <param name="EffectiveBytesPerSecond">DRAM bytes per second its kernels sustain alone.</param>
/// <param name="LaunchSeconds">Fixed launch cost of a kernel.</param>
internal readonly record struct AcceleratorFigures(double EffectiveFlops, double EffectiveBytesPerSecond, double LaunchSeconds);

/// <summary>One anchor's prediction against its measurement.</summary>
/// <param name="Anchor">The anchor.</param>
/// <param name="PredictedMilliseconds">The cost model's prediction.</param>
internal readonly record struct AnchorCheck(SocAnchor Anchor, double PredictedMilliseconds)
{
    /// <summary>Relative error: predicted / measured - 1.</summary>
    public double RelativeError => (PredictedMilliseconds / Anchor.MeasuredMilliseconds) - 1;
}

/// <summary>
/// The calibration of the SoC cost model: the published anchors, the per-accelerator efficiencies fitted to them, and
/// each anchor's error. The fit is done once, on the embedded <c>core-ultra-5-125h</c> description's peaks and DRAM
/// bandwidth; the efficiencies then scale any SoC's figures (<see cref="Figures"/>).
/// </summary>
/// <remarks>
/// <para>Fit: an accelerator's bandwidth efficiency is the geometric mean over its decode anchors of
/// <c>bytes / (measured - launch)</c> over the DRAM bandwidth (least squares in log space for a one-parameter scale);
/// its compute efficiency is the same over its prefill anchors with operations over the peak. An accelerator without
/// a fitted prefill anchor borrows the iGPU's fitted compute efficiency: the CPU (no CPU-only prefill time on a Meteor Lake
/// part was found) and the NPU (its one published prefill time is a check anchor, 53 % slower than the borrowed figure
/// predicts): assumptions stated in docs/soc-cost-model.md, not measurements.</para>
/// <para>An anchor is predicted as the engine that measured it runs: a prefill as one linear kernel and one attention
/// kernel over every layer (and the LM head), a decode step as one decode kernel over every layer, each priced by the
/// roofline <c>launch + max(flops / F, bytes / B)</c>.</para>
/// </remarks>
internal static class SocCalibration
{
    // Published in openvinotoolkit/openvino, docs/sphinx_setup/_static/benchmarks_files/llm_models_7-155H.csv
    // (commit 8d05f346): OpenVINO's LLM benchmark on an Intel Core Ultra 7 155H; the table does not name the device,
    // but 1024-token prefills at 5 TFLOP/s are out of the CPU cores' reach, so it is the Arc iGPU (8 Xe-cores).
    private const string IntelTable = "Intel, OpenVINO LLM benchmark data, Core Ultra 7 155H iGPU (github.com/openvinotoolkit/openvino docs/sphinx_setup/_static/benchmarks_files/llm_models_7-155H.csv @8d05f346)";

    // The same benchmark on a Core Ultra 7 165H (Meteor Lake, 8 Xe-cores, a higher clock), llm_models_7-165H.csv
    // (commit 4d48078c): used only to check the fit at long contexts.
    private const string IntelTable165H = "Intel, OpenVINO LLM benchmark data, Core Ultra 7 165H iGPU (github.com/openvinotoolkit/openvino docs/sphinx_setup/_static/benchmarks_files/llm_models_7-165H.csv @4d48078c)";

    // Oaklight/openvino-meteor-lake-ai-inference, results/x1c-gen12-ultra7-155h.md (commit 7d0e9c87, measured
    // 2026-06-12): a ThinkPad X1 Carbon Gen 12, Core Ultra 7 155H, 32 GB DDR5; llama.cpp's llama-bench (SYCL build) and
    // OpenVINO GenAI 2026.2 on the same laptop.
    private const string OaklightTable = "Oaklight/openvino-meteor-lake-ai-inference results/x1c-gen12-ultra7-155h.md @7d0e9c87 (2026-06-12), Core Ultra 7 155H";

    // canonical/inference-snaps issue #111 (2025-09-12): llmapibenchmark against the DeepSeek-R1 snap's OpenVINO server
    // on the NPU of a Core Ultra 7 155H (Meteor Lake NPU, the 125H's NPU 3720).
    private const string CanonicalSnap = "canonical/inference-snaps issue #111 (2025-09-12): DeepSeek-R1-Distill-Qwen-7B-ov-int4 on the NPU of a Core Ultra 7 155H (Meteor Lake NPU)";

    /// <summary>The kernel launch overheads (assumed, in seconds): CPU 20 us, iGPU 100 us, NPU 300 us (the NPU's command queue costs most).</summary>
    public static ImmutableDictionary<DeviceKind, double> LaunchSeconds { get; } = new Dictionary<DeviceKind, double>
    {
        [DeviceKind.Cpu] = 20e-6,
        [DeviceKind.IntegratedGpu] = 100e-6,
        [DeviceKind.Npu] = 300e-6,
    }.ToImmutableDictionary();

    /// <summary>Phi-3-mini (microsoft/Phi-3-mini-4k-instruct config.json): 32 layers, hidden 3072, 32 heads (no GQA), FFN 8192, vocabulary 32064; INT4.</summary>
    public static LlmSpec Phi3Mini { get; } = new()
    {
        Name = "phi-3-mini",
        Layers = 32,
        HiddenSize = 3072,
        Heads = 32,
        KvHeads = 32,
        FfnSize = 8192,
        VocabSize = 32064,
    };

    /// <summary>Qwen2-7B, the architecture of DeepSeek-R1-Distill-Qwen-7B (config.json): 28 layers, hidden 3584, 28 heads, 4 KV heads, FFN 18944, vocabulary 152064; INT4.</summary>
    public static LlmSpec Qwen2_7B { get; } = new()
    {
        Name = "qwen2-7b",
        Layers = 28,
        HiddenSize = 3584,
        Heads = 28,
        KvHeads = 4,
        FfnSize = 18944,
        VocabSize = 152064,
    };

    /// <summary>
    /// Qwen3-8B (Qwen/Qwen3-8B config.json: 36 layers, hidden 4096, 32 heads, 8 KV heads, FFN 12288, vocabulary 151936,
    /// untied embeddings) as llama.cpp's <c>Q4_K_M</c> GGUF runs it: 4.68 GiB for 8.19 B parameters, 4.91 bits
    /// (0.614 bytes) a weight, the precision the CPU anchor measured.
    /// </summary>
    public static LlmSpec Qwen3_8B_Q4KM { get; } = new()
    {
        Name = "qwen3-8b-q4_k_m",
        Layers = 36,
        HiddenSize = 4096,
        Heads = 32,
        KvHeads = 8,
        FfnSize = 12288,
        VocabSize = 151936,
        BytesPerWeight = 4.68 * 1024 * 1024 * 1024 / 8.19e9,
    };

    /// <summary>Qwen3-8B at OpenVINO's INT4 (OpenVINO/Qwen3-8B-int4-ov), the same shape as <see cref="Qwen3_8B_Q4KM"/> at 0.5 bytes a weight.</summary>
    public static LlmSpec Qwen3_8B { get; } = Qwen3_8B_Q4KM with { Name = "qwen3-8b", BytesPerWeight = LlmSpec.Int4BytesPerWeight };

    /// <summary>TinyLlama-1.1B (TinyLlama/TinyLlama-1.1B-Chat-v1.0 config.json): 22 layers, hidden 2048, 32 heads, 4 KV heads, FFN 5632, vocabulary 32000; INT4 (assumed: OpenVINO's NPU guide exports it so).</summary>
    public static LlmSpec TinyLlama { get; } = new()
    {
        Name = "tinyllama-1.1b",
        Layers = 22,
        HiddenSize = 2048,
        Heads = 32,
        KvHeads = 4,
        FfnSize = 5632,
        VocabSize = 32000,
    };

    /// <summary>Every anchor, fitted or checked, in the order docs/soc-cost-model.md lists them.</summary>
    public static ImmutableArray<SocAnchor> Anchors { get; } =
    [
        new("igpu-8b-prefill-1024", DeviceKind.IntegratedGpu, LlmSpec.Llama31_8B, SocAnchorKind.PrefillMilliseconds, 1024, 0, 2807.6, true, IntelTable + ": llama-3.1-8b INT4, input 1024, 1st latency"),
        new("igpu-phi3-prefill-1024", DeviceKind.IntegratedGpu, Phi3Mini, SocAnchorKind.PrefillMilliseconds, 1024, 0, 1521.7, true, IntelTable + ": phi-3-mini-4k-instruct INT4, input 1024, 1st latency"),
        new("igpu-8b-decode-1024", DeviceKind.IntegratedGpu, LlmSpec.Llama31_8B, SocAnchorKind.DecodeMilliseconds, 1, 1024, 79.7, true, IntelTable + ": llama-3.1-8b INT4, input 1024, 2nd latency"),
        new("igpu-8b-decode-32", DeviceKind.IntegratedGpu, LlmSpec.Llama31_8B, SocAnchorKind.DecodeMilliseconds, 1, 32, 76.3, true, IntelTable + ": llama-3.1-8b INT4, input 32, 2nd latency"),
        new("igpu-phi3-decode-1024", DeviceKind.IntegratedGpu, Phi3Mini, SocAnchorKind.DecodeMilliseconds, 1, 1024, 42.8, true, IntelTable + ": phi-3-mini-4k-instruct INT4, input 1024, 2nd latency"),
        new("igpu-8b-prefill-32", DeviceKind.IntegratedGpu, LlmSpec.Llama31_8B, SocAnchorKind.PrefillMilliseconds, 32, 0, 182.7, false, IntelTable + ": llama-3.1-8b INT4, input 32, 1st latency (check only: near the roofline's ridge)"),
        new("igpu-phi3-prefill-4096-165h", DeviceKind.IntegratedGpu, Phi3Mini, SocAnchorKind.PrefillMilliseconds, 4096, 0, 8047.2, false, IntelTable165H + ": phi-3-mini-4k-instruct INT4-MIXED, input 4096, 1st latency (check only: long-context attention)"),
        new("igpu-phi3-decode-4096-165h", DeviceKind.IntegratedGpu, Phi3Mini, SocAnchorKind.DecodeMilliseconds, 1, 4096, 45.1, false, IntelTable165H + ": phi-3-mini-4k-instruct INT4-MIXED, input 4096, 2nd latency (check only: long-context KV reads)"),
        new("npu-qwen7b-decode", DeviceKind.Npu, Qwen2_7B, SocAnchorKind.DecodeMilliseconds, 1, 256, 1000.0 / 5.28, true, "canonical/inference-snaps issue #111 (2025-09-12): DeepSeek-R1-Distill-Qwen-7B-ov-int4 on the NPU of a Core Ultra 7 155H (Meteor Lake NPU), 5.28 tokens/s generating 512 tokens (mean context taken as 256)"),
        new("npu-phi3-decode", DeviceKind.Npu, Phi3Mini, SocAnchorKind.DecodeMilliseconds, 1, 128, 1000.0 / 7, true, "Hugging Face post by raincandy-u (huggingface.co/posts/raincandy-u/887691396520858, June 2024): microsoft/Phi-3-mini-128k-instruct int4 on the NPU of a Core Ultra 9 185H (same NPU 3720), 7 tokens/s (context taken as 128)"),
        new("npu-qwen7b-prefill-1024", DeviceKind.Npu, Qwen2_7B, SocAnchorKind.PrefillMilliseconds, 1024, 0, 8790.0, false, CanonicalSnap + ", min TTFT 8.79 s at concurrency 1 (OpenVINO's static NPU pipeline pads the prompt to its 1,024-token prefill shape, so this is a 1,024-token prefill; check only: fitted, it makes the NPU 3.3x slower than the iGPU at prefill and the mapper no longer proves its 1,024-token mappings optimal, see docs/soc-cost-model.md)"),
        new("npu-tinyllama-prefill-1024-125h", DeviceKind.Npu, TinyLlama, SocAnchorKind.PrefillMilliseconds, 1024, 0, 4742.35, false, "openvinotoolkit/openvino.genai issue #1084 (2024-10-28): benchmark_genai.py -d NPU on a Core Ultra 5 125H, TinyLlama, TTFT 4742.35 ms (prompt padded to the 1,024-token static prefill; check only: the same run decodes at 268 +- 317 ms a token, a misbehaving setup)"),
        new("cpu-qwen3-8b-decode", DeviceKind.Cpu, Qwen3_8B_Q4KM, SocAnchorKind.DecodeMilliseconds, 1, 64, 1000.0 / 3.86, true, OaklightTable + " CPU: llama-bench -ngl 0, qwen3 8B Q4_K_M, tg128 3.86 +- 0.81 t/s (mean context of the 128 generated tokens taken as 64)"),
        new("cpu-qwen3-8b-decode-openvino", DeviceKind.Cpu, Qwen3_8B, SocAnchorKind.DecodeMilliseconds, 1, 136, 32000.0 / 271, false, OaklightTable + " CPU: OpenVINO GenAI, OpenVINO/Qwen3-8B-int4-ov, about 271 tokens in 32.0 s, 8.5 tokens/s (check only: another engine than llama.cpp; mean context taken as 136)"),
    ];

    /// <summary>The fitted efficiencies per accelerator (fitted once on the embedded SoC's figures).</summary>
    public static ImmutableDictionary<DeviceKind, AcceleratorEfficiency> Efficiencies { get; } = Fit(Anchors, SocSpec.Default.Hardware);

    /// <summary>The absolute roofline figures of an accelerator on a SoC: the fitted efficiencies times its peak and the DRAM bandwidth.</summary>
    /// <param name="soc">The SoC.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>Its figures.</returns>
    public static AcceleratorFigures Figures(SocSpec soc, DeviceKind accelerator)
    {
        var efficiency = Efficiencies[accelerator];
        return new AcceleratorFigures(
            efficiency.ComputeEfficiency * soc.PeakFlops(accelerator),
            efficiency.BandwidthEfficiency * soc.DramBytesPerSecond,
            efficiency.LaunchSeconds);
    }

    /// <summary>Every anchor's prediction on the embedded SoC, in <see cref="Anchors"/> order.</summary>
    /// <returns>The checks.</returns>
    public static ImmutableArray<AnchorCheck> Check()
    {
        var soc = SocSpec.Default;
        return [.. Anchors.Select(a => new AnchorCheck(a, Predict(a, Figures(soc, a.Accelerator)) * 1000))];
    }

    /// <summary>Fits the efficiencies to anchors on a hardware description (see the remarks of <see cref="SocCalibration"/>).</summary>
    /// <param name="anchors">The anchors.</param>
    /// <param name="hardware">The SoC the anchors' peaks and bandwidth are read from.</param>
    /// <returns>The efficiencies of the CPU, iGPU and NPU.</returns>
    public static ImmutableDictionary<DeviceKind, AcceleratorEfficiency> Fit(ImmutableArray<SocAnchor> anchors, HardwareSpec hardware)
    {
        var soc = SocSpec.From(hardware);
        double? ComputeOf(DeviceKind accelerator) =>
            GeometricMean(anchors.Where(a => a.UsedInFit && a.Accelerator == accelerator && a.Kind == SocAnchorKind.PrefillMilliseconds)
                .Select(a => Work(a).Flops / ((a.MeasuredMilliseconds / 1000) - (2 * LaunchSeconds[accelerator])) / soc.PeakFlops(accelerator)));
        double? BandwidthOf(DeviceKind accelerator) =>
            GeometricMean(anchors.Where(a => a.UsedInFit && a.Accelerator == accelerator && a.Kind == SocAnchorKind.DecodeMilliseconds)
                .Select(a => Work(a).Bytes / ((a.MeasuredMilliseconds / 1000) - LaunchSeconds[accelerator]) / soc.DramBytesPerSecond));

        var gpuCompute = ComputeOf(DeviceKind.IntegratedGpu) ?? throw new InvalidOperationException("The iGPU needs a prefill anchor.");
        var gpuBandwidth = BandwidthOf(DeviceKind.IntegratedGpu) ?? throw new InvalidOperationException("The iGPU needs a decode anchor.");
        var builder = ImmutableDictionary.CreateBuilder<DeviceKind, AcceleratorEfficiency>();
        foreach (var accelerator in new[] { DeviceKind.Cpu, DeviceKind.IntegratedGpu, DeviceKind.Npu })
        {
            builder[accelerator] = new AcceleratorEfficiency(
                ComputeOf(accelerator) ?? gpuCompute,
                BandwidthOf(accelerator) ?? gpuBandwidth,
                LaunchSeconds[accelerator]);
        }

        return builder.ToImmutable();
    }

    /// <summary>An anchor's predicted time, in seconds, on the given roofline figures.</summary>
    /// <param name="anchor">The anchor.</param>
    /// <param name="figures">The accelerator's figures.</param>
    /// <returns>Seconds.</returns>
    public static double Predict(SocAnchor anchor, AcceleratorFigures figures) =>
        AnchorKernels(anchor).Sum(k => SocCostModel.Price(anchor.Model, k, figures).Seconds);

    /// <summary>A table of every anchor with prediction and error, for docs/soc-cost-model.md and the tests.</summary>
    /// <returns>One line per anchor.</returns>
    public static string Report()
    {
        var lines = Check().Select(c => string.Create(
            CultureInfo.InvariantCulture,
            $"{c.Anchor.Id}\t{SocSpec.Name(c.Anchor.Accelerator)}\t{c.Anchor.Model.Name}\tmeasured {c.Anchor.MeasuredMilliseconds:0.0} ms\tpredicted {c.PredictedMilliseconds:0.0} ms\terror {Percent(c.RelativeError):+0.0;-0.0}%{(c.Anchor.UsedInFit ? string.Empty : "\t(check only)")}"));
        var efficiencies = Efficiencies.OrderBy(e => e.Key).Select(e => string.Create(
            CultureInfo.InvariantCulture,
            $"{SocSpec.Name(e.Key)}: compute {e.Value.ComputeEfficiency:0.000} of peak, bandwidth {e.Value.BandwidthEfficiency:0.000} of DRAM, launch {e.Value.LaunchSeconds * 1e6:0} us"));
        return string.Join(Environment.NewLine, lines.Concat(efficiencies));
    }

    /// <summary>A relative error in percent, rounded to a tenth, with a rounded zero written as +0.0 (never -0.0).</summary>
    private static double Percent(double relativeError)
    {
        var percent = Math.Round(relativeError * 100, 1);
        return percent == 0 ? 0 : percent;
    }

    /// <summary>The kernels an anchor's engine runs: a prefill's linear and attention kernels over every layer, or one decode kernel.</summary>
    private static SocKernel[] AnchorKernels(SocAnchor anchor)
    {
        ImmutableArray<DeviceKind> on = [anchor.Accelerator];
        var layers = anchor.Model.Layers;
        return anchor.Kind == SocAnchorKind.PrefillMilliseconds
            ? [new SocKernel(SocKernelKind.PrefillChunk, 0, layers, anchor.Tokens, 0, 1, on) { IncludesLmHead = true },
               new SocKernel(SocKernelKind.PrefillAttention, 0, layers, anchor.Tokens, 0, 1, on)]
            : [new SocKernel(SocKernelKind.DecodeStep, 0, layers, 1, anchor.ContextTokens, 1, on) { IncludesLmHead = true }];
    }

    /// <summary>An anchor's total work: operations and bytes of its kernels.</summary>
    private static (double Flops, double Bytes) Work(SocAnchor anchor)
    {
        var unit = new AcceleratorFigures(1, 1, 0);
        var kernels = AnchorKernels(anchor).Select(k => SocCostModel.Price(anchor.Model, k, unit)).ToArray();
        return (kernels.Sum(k => k.Flops), kernels.Sum(k => k.Bytes));
    }

    private static double? GeometricMean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? null : Math.Exp(list.Average(Math.Log));
    }
}
