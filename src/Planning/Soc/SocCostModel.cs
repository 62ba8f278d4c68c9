using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Soc;

/// <summary>
/// Agent.xpu's predictive kernel annotation for one model on one SoC: the heterogeneous execution graph's kernels
/// (<see cref="Prefill"/>, <see cref="DecodeSteps"/>) and the price of each on each accelerator (<see cref="Cost"/>):
/// a roofline per accelerator, <c>launch + max(flops / F, bytes / B)</c>, whose effective compute <c>F</c> and
/// bandwidth <c>B</c> are fitted to published measurements (docs/soc-cost-model.md states every anchor and the
/// model's error against it), and the slowdown a kernel suffers while other accelerators draw DRAM bandwidth
/// (<see cref="Slowdown"/>).
/// </summary>
/// <remarks>
/// <para>Prefill runs in chunks of <see cref="ChunkTokens"/> prompt tokens: the linear part of each chunk is a static
/// shape compiled ahead for the NPU, elastic (NPU or iGPU); attention (its shape grows with the context) and the
/// remainder chunk (fewer tokens than a chunk) run on the iGPU. Layers are grouped so that every kernel, at the
/// longest context (<see cref="MaxContextTokens"/>), takes under <see cref="KernelBudgetSeconds"/> on every
/// accelerator it may use: kernels are the preemption points, so a reactive request waits at most one kernel.</para>
/// <para>A decode step is a short micro-graph: the layers split into the fewest groups whose kernels all stay under
/// the budget at that batch and context, elastic (iGPU or NPU).</para>
/// </remarks>
public sealed class SocCostModel
{
    /// <summary>The most time one kernel may take on any accelerator it may use: 100 ms.</summary>
    public const double KernelBudgetSeconds = 0.1;

    /// <summary>The longest context a request may reach, prompt and output together: 8192 tokens.</summary>
    public const int MaxContextTokens = 8192;

    /// <summary>The most requests one decode step may batch.</summary>
    public const int MaxBatch = 16;

    /// <summary>The default prefill chunk: 256 tokens, the static shape the NPU kernels are compiled for.</summary>
    public const int DefaultChunkTokens = 256;

    /// <summary>The slowdown of a fully memory-bound kernel while the other accelerators take all the DRAM bandwidth it leaves: 1.59 (Agent.xpu's measurement of a GEMV on NPU and iGPU at once).</summary>
    public const double MaxContentionSlowdown = 1.59;

    private readonly ImmutableDictionary<DeviceKind, AcceleratorFigures> _figures;

    private SocCostModel(SocSpec soc, LlmSpec model, int chunkTokens)
    {
        Soc = soc;
        Model = model;
        ChunkTokens = chunkTokens;
        _figures = soc.Accelerators.ToImmutableDictionary(a => a, a => SocCalibration.Figures(soc, a));
        PrefillLayerGroups = GroupLayers(layers => WorstPrefillKernels(layers));
    }

    /// <summary>The SoC.</summary>
    public SocSpec Soc { get; }

    /// <summary>The model.</summary>
    public LlmSpec Model { get; }

    /// <summary>Prompt tokens per prefill chunk.</summary>
    public int ChunkTokens { get; }

    /// <summary>The layer groups of the prefill kernels, as (first layer, end layer), in order.</summary>
    public ImmutableArray<(int FirstLayer, int EndLayer)> PrefillLayerGroups { get; }

    /// <summary>The cost model of a model on a SoC, with the default chunk (<see cref="DefaultChunkTokens"/>).</summary>
    /// <param name="soc">The SoC.</param>
    /// <param name="model">The model.</param>
    /// <returns>The cost model.</returns>
    public static SocCostModel For(SocSpec soc, LlmSpec model) => For(soc, model, DefaultChunkTokens);

    /// <summary>The cost model of a model on a SoC with a given prefill chunk.</summary>
    /// <param name="soc">The SoC.</param>
    /// <param name="model">The model.</param>
    /// <param name="chunkTokens">Prompt tokens per chunk, 1 to <see cref="MaxContextTokens"/>.</param>
    /// <returns>The cost model.</returns>
    /// <exception cref="PlanningInputException">The chunk is out of range (field <c>chunkTokens</c>), the model is invalid, or no layer grouping keeps every kernel under the budget (field <c>model</c>).</exception>
    public static SocCostModel For(SocSpec soc, LlmSpec model, int chunkTokens)
    {
        ArgumentNullException.ThrowIfNull(soc);
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        if (chunkTokens < 1 || chunkTokens > MaxContextTokens)
        {
            throw new PlanningInputException("chunkTokens", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxContextTokens}, got {chunkTokens}"));
        }

        return new SocCostModel(soc, model, chunkTokens);
    }

    /// <summary>The uncontended price of a kernel on an accelerator.</summary>
    /// <param name="kernel">The kernel.</param>
    /// <param name="accelerator">One of the kernel's <see cref="SocKernel.Accelerators"/>.</param>
    /// <returns>Its time, DRAM bytes, operations and resident memory.</returns>
    /// <exception cref="ArgumentException">The kernel may not run on the accelerator, or the SoC has no such accelerator.</exception>
    public KernelCost Cost(SocKernel kernel, DeviceKind accelerator)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (!kernel.MayRunOn(accelerator))
        {
            throw new ArgumentException($"{kernel.Name} may run on {string.Join(", ", kernel.Accelerators.Select(SocSpec.Name))}, not {SocSpec.Name(accelerator)}.", nameof(accelerator));
        }

        if (!_figures.TryGetValue(accelerator, out var figures))
        {
            throw new ArgumentException($"The SoC has no {SocSpec.Name(accelerator)}.", nameof(accelerator));
        }

        return Price(Model, kernel, figures);
    }

    /// <summary>
    /// How much slower a kernel runs while the other accelerators' kernels draw <paramref name="otherDemandBytesPerSecond"/>
    /// of DRAM bandwidth: <c>1 + (1.59 - 1) x boundness x pressure</c>, where boundness is the memory term over the
    /// roofline's binding term (1 for a memory-bound kernel such as a decode GEMV, less for a compute-bound one) and
    /// pressure the share of the bandwidth the kernel leaves free that the others take (1 when they take all of it). It reaches <see cref="MaxContentionSlowdown"/>
    /// for a memory-bound kernel at full pressure, as Agent.xpu measured for a GEMV on NPU and iGPU at once.
    /// </summary>
    /// <param name="otherDemandBytesPerSecond">The bandwidth the other accelerators' running kernels draw; non-negative.</param>
    /// <param name="cost">The kernel's uncontended cost.</param>
    /// <returns>A factor of at least 1 for the kernel's time.</returns>
    public double Slowdown(double otherDemandBytesPerSecond, KernelCost cost)
    {
        if (!(otherDemandBytesPerSecond >= 0) || cost.Seconds <= 0)
        {
            return 1;
        }

        var binding = Math.Max(cost.ComputeSeconds, cost.MemorySeconds);
        var boundness = binding > 0 ? Math.Clamp(cost.MemorySeconds / binding, 0, 1) : 0;
        var left = Soc.DramBytesPerSecond - cost.BytesPerSecond;
        var pressure = left <= 0 ? 1 : Math.Min(1, otherDemandBytesPerSecond / left);
        return 1 + ((MaxContentionSlowdown - 1) * boundness * pressure);
    }

    /// <summary>
    /// One request's prefill as kernels in execution order: for each chunk (full chunks of <see cref="ChunkTokens"/>,
    /// then the remainder), for each layer group, its linear kernel then its attention kernel.
    /// </summary>
    /// <param name="promptTokens">Prompt tokens, 1 to <see cref="MaxContextTokens"/>.</param>
    /// <returns>The kernels.</returns>
    /// <exception cref="PlanningInputException">The prompt is out of range (field <c>promptTokens</c>).</exception>
    public ImmutableArray<SocKernel> Prefill(int promptTokens)
    {
        if (promptTokens < 1 || promptTokens > MaxContextTokens)
        {
            throw new PlanningInputException("promptTokens", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxContextTokens}, got {promptTokens}"));
        }

        ImmutableArray<DeviceKind> elastic = [DeviceKind.Npu, DeviceKind.IntegratedGpu];
        ImmutableArray<DeviceKind> gpu = [DeviceKind.IntegratedGpu];
        var kernels = ImmutableArray.CreateBuilder<SocKernel>();
        for (var start = 0; start < promptTokens; start += ChunkTokens)
        {
            var tokens = Math.Min(ChunkTokens, promptTokens - start);
            var last = start + tokens == promptTokens;
            foreach (var (first, end) in PrefillLayerGroups)
            {
                kernels.Add(new SocKernel(SocKernelKind.PrefillChunk, first, end, tokens, start, 1, tokens == ChunkTokens ? elastic : gpu)
                {
                    IncludesLmHead = last && end == Model.Layers,
                });
                kernels.Add(new SocKernel(SocKernelKind.PrefillAttention, first, end, tokens, start, 1, gpu));
            }
        }

        return kernels.ToImmutable();
    }

    /// <summary>
    /// One output token for <paramref name="batch"/> requests at a mean context of <paramref name="contextTokens"/>:
    /// the decode micro-graph, the layers split into the fewest groups (as even as possible) whose kernels all take
    /// under <see cref="KernelBudgetSeconds"/> on the iGPU and the NPU; the last group runs the LM head.
    /// </summary>
    /// <param name="batch">Requests, 1 to <see cref="MaxBatch"/>.</param>
    /// <param name="contextTokens">Mean tokens already in each request's KV cache, 0 to <see cref="MaxContextTokens"/>.</param>
    /// <returns>The kernels, in layer order.</returns>
    /// <exception cref="PlanningInputException">The batch (field <c>batch</c>) or context (field <c>contextTokens</c>) is out of range.</exception>
    public ImmutableArray<SocKernel> DecodeSteps(int batch, int contextTokens)
    {
        if (batch < 1 || batch > MaxBatch)
        {
            throw new PlanningInputException("batch", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxBatch}, got {batch}"));
        }

        if (contextTokens < 0 || contextTokens > MaxContextTokens)
        {
            throw new PlanningInputException("contextTokens", string.Create(CultureInfo.InvariantCulture, $"must be 0 to {MaxContextTokens}, got {contextTokens}"));
        }

        ImmutableArray<DeviceKind> elastic = [DeviceKind.IntegratedGpu, DeviceKind.Npu];
        SocKernel Step(int first, int end) =>
            new(SocKernelKind.DecodeStep, first, end, 1, contextTokens, batch, elastic) { IncludesLmHead = end == Model.Layers };
        var groups = GroupLayers(layers => EvenGroups(layers).Select(g => Step(g.FirstLayer, g.EndLayer)));
        return [.. groups.Select(g => Step(g.FirstLayer, g.EndLayer))];
    }

    /// <summary>
    /// Prices a kernel of a model on a roofline: launch + max(flops / F, bytes / B). Shared by <see cref="Cost"/> and
    /// the calibration, so the anchors are predicted by the very code that prices the graph.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="figures">The accelerator's effective figures.</param>
    /// <returns>The cost.</returns>
    internal static KernelCost Price(LlmSpec model, SocKernel kernel, AcceleratorFigures figures)
    {
        double layers = kernel.Layers;
        double batch = kernel.Batch;
        double tokens = kernel.Tokens;
        double context = kernel.ContextTokens;
        double hidden = model.HiddenSize;
        double kvPerLayer = model.KvBytesPerTokenPerLayer;
        var weightBytes = layers * model.LayerWeights * model.BytesPerWeight;
        var activationBytes = batch * tokens * hidden * LlmSpec.Fp16Bytes * 2 * layers;
        double flops, bytes, resident;
        switch (kernel.Kind)
        {
            case SocKernelKind.PrefillChunk:
                flops = 2 * batch * tokens * model.LayerWeights * layers;
                bytes = weightBytes + activationBytes + (batch * tokens * kvPerLayer * layers);
                resident = weightBytes + (batch * (context + tokens) * kvPerLayer * layers);
                break;
            case SocKernelKind.PrefillAttention:
                // Causal attention of the chunk's tokens over the context and over themselves: query-key and
                // probability-value products, 2 x hidden operations each per (query, key) pair.
                var pairs = (tokens * context) + (tokens * (tokens + 1) / 2);
                flops = 4 * hidden * pairs * layers * batch;
                bytes = activationBytes + (batch * (context + tokens) * kvPerLayer * layers);
                resident = batch * (context + tokens) * kvPerLayer * layers;
                break;
            default:
                flops = batch * layers * ((2.0 * model.LayerWeights) + (4 * hidden * (context + 1)));
                bytes = weightBytes + activationBytes + (batch * (context + 1) * kvPerLayer * layers);
                resident = weightBytes + (batch * (context + 1) * kvPerLayer * layers);
                break;
        }

        if (kernel.IncludesLmHead)
        {
            // The LM head runs for one token per request (the prompt's last, or the decoded one).
            flops += 2 * batch * model.LmHeadWeights;
            bytes += model.LmHeadWeights * model.BytesPerWeight;
            resident += model.LmHeadWeights * model.BytesPerWeight;
        }

        var compute = flops / figures.EffectiveFlops;
        var memory = bytes / figures.EffectiveBytesPerSecond;
        return new KernelCost(figures.LaunchSeconds + Math.Max(compute, memory), bytes, flops, (long)Math.Ceiling(resident))
        {
            ComputeSeconds = compute,
            MemorySeconds = memory,
        };
    }

    /// <summary>The worst case of a prefill layer group: a full chunk's linear kernel and the attention of the last chunk a maximal prompt can have.</summary>
    private IEnumerable<SocKernel> WorstPrefillKernels(int layers)
    {
        ImmutableArray<DeviceKind> elastic = [DeviceKind.Npu, DeviceKind.IntegratedGpu];
        ImmutableArray<DeviceKind> gpu = [DeviceKind.IntegratedGpu];
        var tokens = Math.Min(ChunkTokens, MaxContextTokens);
        var lastStart = MaxContextTokens - tokens;
        yield return new SocKernel(SocKernelKind.PrefillChunk, 0, layers, tokens, lastStart, 1, elastic) { IncludesLmHead = true };
        yield return new SocKernel(SocKernelKind.PrefillAttention, 0, layers, tokens, lastStart, 1, gpu);

        // A remainder chunk is smaller than a full one, so its linear kernel costs less; its attention, at most the
        // last full chunk's. Both are covered by the two above.
    }

    /// <summary>
    /// The fewest groups, as even as possible, such that every kernel <paramref name="kernelsOfGroup"/> yields for the
    /// largest group's layer count stays under the budget on every accelerator it may use.
    /// </summary>
    private ImmutableArray<(int FirstLayer, int EndLayer)> GroupLayers(Func<int, IEnumerable<SocKernel>> kernelsOfGroup)
    {
        var layers = Model.Layers;
        for (var groups = 1; groups <= layers; groups++)
        {
            var largest = (layers + groups - 1) / groups;
            if (kernelsOfGroup(largest).All(k => k.Accelerators.All(a => !_figures.ContainsKey(a) || Price(Model, k, _figures[a]).Seconds < KernelBudgetSeconds)))
            {
                return Split(layers, groups);
            }
        }

        throw new PlanningInputException("model", string.Create(CultureInfo.InvariantCulture, $"{Model.Name}: a single layer's kernel takes {KernelBudgetSeconds * 1000:0} ms or more on this SoC; no grouping keeps kernels under the budget"));
    }

    /// <summary>The decode kernels of a grouping into <c>ceil(layers / largest)</c> groups, for <see cref="GroupLayers"/>.</summary>
    private ImmutableArray<(int FirstLayer, int EndLayer)> EvenGroups(int largest)
    {
        var groups = (Model.Layers + largest - 1) / largest;
        return Split(Model.Layers, groups);
    }

    /// <summary>Splits layers into groups whose sizes differ by at most one, larger groups first.</summary>
    private static ImmutableArray<(int FirstLayer, int EndLayer)> Split(int layers, int groups)
    {
        var result = ImmutableArray.CreateBuilder<(int, int)>(groups);
        var first = 0;
        for (var g = 0; g < groups; g++)
        {
            var size = (layers / groups) + (g < layers % groups ? 1 : 0);
            result.Add((first, first + size));
            first += size;
        }

        return result.MoveToImmutable();
    }
}
