using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Planning.Graph;

namespace Planning.Rollout;

/// <summary>What a public measurement of <see cref="ModernCostModel"/>'s anchors measured.</summary>
internal enum CostModelAnchorMetric
{
    /// <summary>NIM's inter-token latency at a concurrency (closed loop, chunked prefills of the others interleaved).</summary>
    InterTokenLatency,

    /// <summary>NIM's time to first token at concurrency 1: one prefill of the input.</summary>
    TimeToFirstToken,

    /// <summary><c>vllm bench latency</c>: one batch prefilled together, then decoded together to the output length.</summary>
    BatchLatency,
}

/// <summary>One public measurement the <c>modern</c> cost model is fitted to, with where it comes from.</summary>
internal sealed record CostModelAnchor(
    string Id,
    string Source,
    string What,
    InferenceModelSpec Model,
    string Gpu,
    InferenceHardware Hardware,
    int TensorParallel,
    string Precision,
    CostModelAnchorMetric Metric,
    int Concurrency,
    int InputTokens,
    int OutputTokens,
    double MeasuredSeconds,
    double Tolerance)
{
    /// <summary>What <see cref="ModernCostModel"/> with <paramref name="constants"/> gives for this measurement (see the assumptions of modern-cost-model.json).</summary>
    public double ModelSeconds(ModernCostModelConstants constants)
    {
        var model = ModernCostModel.Create(Model, Hardware, constants);
        switch (Metric)
        {
            case CostModelAnchorMetric.InterTokenLatency:
                var context = Concurrency * (InputTokens + (OutputTokens / 2.0));
                var prefill = model.Prefill(InputTokens, CalibratedCostModelRoofline.AttentionFlops(Model, InputTokens, 0), 0, TensorParallel);
                return model.Decode(Concurrency, context, TensorParallel) + ((Concurrency - 1.0) / OutputTokens * prefill);
            case CostModelAnchorMetric.TimeToFirstToken:
                return model.Prefill(InputTokens, CalibratedCostModelRoofline.AttentionFlops(Model, InputTokens, 0), 0, TensorParallel);
            default:
                var seconds = model.Prefill(
                    (double)Concurrency * InputTokens, Concurrency * CalibratedCostModelRoofline.AttentionFlops(Model, InputTokens, 0), 0, TensorParallel);
                for (var step = 1; step < OutputTokens; step++)
                {
                    seconds += model.Decode(Concurrency, (double)Concurrency * (InputTokens + step), TensorParallel);
                }

                return seconds;
        }
    }

    /// <summary>|model - measured| / measured.</summary>
    public double Error(ModernCostModelConstants constants) => Math.Abs(ModelSeconds(constants) - MeasuredSeconds) / MeasuredSeconds;
}

/// <summary>One constant's search range of the fit: a coarse grid over [from, to], then a fine one around the coarse best.</summary>
internal sealed record CostModelFitRange(double From, double To, double CoarseStep, double FineStep);

/// <summary>Loads <c>Rollout/CostModel/Data/modern-cost-model.json</c>: the embedded constants, the fit's ranges and the anchors.</summary>
internal static class ModernCostModelCatalog
{
    private static readonly Lazy<(ModernCostModelConstants Constants, ImmutableArray<CostModelFitRange> Ranges, ImmutableArray<CostModelAnchor> Anchors)> Data = new(Load);

    public static ModernCostModelConstants Constants => Data.Value.Constants;

    /// <summary>The ranges of memory efficiency, compute efficiency, layer overhead and all-reduce latency, in that order.</summary>
    public static ImmutableArray<CostModelFitRange> FitRanges => Data.Value.Ranges;

    public static ImmutableArray<CostModelAnchor> Anchors => Data.Value.Anchors;

    private static (ModernCostModelConstants, ImmutableArray<CostModelFitRange>, ImmutableArray<CostModelAnchor>) Load()
    {
        using var stream = typeof(ModernCostModelCatalog).Assembly.GetManifestResourceStream("Planning.Rollout.Data.modern-cost-model.json")
            ?? throw new InvalidOperationException("embedded resource Planning.Rollout.Data.modern-cost-model.json is missing");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        string[] names = ["memoryEfficiency", "computeEfficiency", "layerOverheadSeconds", "allReduceSecondsPerLayer"];
        var c = root.GetProperty("constants");
        var constants = new ModernCostModelConstants(
            c.GetProperty(names[0]).GetDouble(), c.GetProperty(names[1]).GetDouble(), c.GetProperty(names[2]).GetDouble(), c.GetProperty(names[3]).GetDouble()).Validate();
        var fit = root.GetProperty("fit");
        var ranges = names.Select(n =>
        {
            var r = fit.GetProperty(n);
            return new CostModelFitRange(r.GetProperty("from").GetDouble(), r.GetProperty("to").GetDouble(), r.GetProperty("coarseStep").GetDouble(), r.GetProperty("fineStep").GetDouble());
        }).ToImmutableArray();

        var gpus = new Dictionary<string, HardwareSpec>(StringComparer.Ordinal);
        foreach (var g in root.GetProperty("gpus").EnumerateArray())
        {
            var spec = HardwareSpec.Load(g.GetProperty("hardware").GetString()!);
            if (g.TryGetProperty("deviceName", out var deviceName))
            {
                spec = spec with
                {
                    Devices = [spec.Devices[0] with
                    {
                        Name = deviceName.GetString()!,
                        MemoryBytes = g.GetProperty("memoryBytes").GetDouble(),
                        MemoryBytesPerSecond = g.GetProperty("memoryBytesPerSecond").GetDouble(),
                    }],
                };
            }

            gpus.Add(g.GetProperty("name").GetString()!, spec);
        }

        var models = root.GetProperty("models").EnumerateArray().Select(m => new InferenceModelSpec(
            m.GetProperty("name").GetString()!,
            m.GetProperty("description").GetString()!,
            m.GetProperty("layers").GetInt32(),
            m.GetProperty("hiddenSize").GetInt32(),
            m.GetProperty("kvHeads").GetInt32(),
            m.GetProperty("headDim").GetInt32(),
            m.GetProperty("parameters").GetDouble())).ToDictionary(m => m.Name, StringComparer.Ordinal);

        var anchors = root.GetProperty("anchors").EnumerateArray().Select(a =>
        {
            var precision = a.GetProperty("precision").GetString()!;
            var bytes = precision switch
            {
                "bf16" => 2,
                "fp8" => 1,
                _ => throw new InvalidOperationException($"modern-cost-model.json: unknown precision \"{precision}\""),
            };
            var gpu = a.GetProperty("gpu").GetString()!;
            var engine = ServingEngineSettings.Default with { BytesPerParameter = bytes, KvBytesPerElement = bytes };
            var metric = a.GetProperty("metric").GetString() switch
            {
                "itl" => CostModelAnchorMetric.InterTokenLatency,
                "ttft" => CostModelAnchorMetric.TimeToFirstToken,
                "latency" => CostModelAnchorMetric.BatchLatency,
                var other => throw new InvalidOperationException($"modern-cost-model.json: unknown metric \"{other}\""),
            };
            return new CostModelAnchor(
                a.GetProperty("id").GetString()!,
                a.GetProperty("source").GetString()!,
                a.GetProperty("what").GetString()!,
                models[a.GetProperty("model").GetString()!],
                gpu,
                InferenceHardware.From(gpus[gpu], engine),
                a.GetProperty("tensorParallel").GetInt32(),
                precision,
                metric,
                a.GetProperty("concurrency").GetInt32(),
                a.GetProperty("inputTokens").GetInt32(),
                a.GetProperty("outputTokens").GetInt32(),
                a.GetProperty("measuredSeconds").GetDouble(),
                a.GetProperty("tolerance").GetDouble());
        }).ToImmutableArray();
        return (constants, ranges, anchors);
    }
}

/// <summary>
/// The fit of <see cref="ModernCostModelConstants"/> to the anchors: minimise the largest relative error over them
/// (ties: the smaller sum of squared errors), on a coarse grid of the four constants and then on a fine grid within
/// one coarse step of the coarse best. Deterministic; the embedded constants are its result.
/// </summary>
internal static class ModernCostModelFit
{
    public static ModernCostModelConstants Fit(IReadOnlyList<CostModelAnchor> anchors, IReadOnlyList<CostModelFitRange> ranges)
    {
        var coarse = Search(anchors, ranges.Select(r => Grid(r.From, r.To, r.CoarseStep)).ToArray());
        var fine = Search(anchors, ranges.Select((r, i) =>
        {
            var centre = i switch
            {
                0 => coarse.MemoryEfficiency,
                1 => coarse.ComputeEfficiency,
                2 => coarse.LayerOverheadSeconds,
                _ => coarse.AllReduceSecondsPerLayer,
            };
            return Grid(Math.Max(r.From, centre - r.CoarseStep), Math.Min(r.To, centre + r.CoarseStep), r.FineStep);
        }).ToArray());
        return fine;
    }

    private static ModernCostModelConstants Search(IReadOnlyList<CostModelAnchor> anchors, double[][] grids)
    {
        ModernCostModelConstants? best = null;
        var bestWorst = double.PositiveInfinity;
        var bestSquares = double.PositiveInfinity;
        foreach (var memory in grids[0])
        {
            foreach (var compute in grids[1])
            {
                foreach (var overhead in grids[2])
                {
                    foreach (var allReduce in grids[3])
                    {
                        var candidate = new ModernCostModelConstants(memory, compute, overhead, allReduce);
                        var worst = 0.0;
                        var squares = 0.0;
                        foreach (var anchor in anchors)
                        {
                            var e = anchor.Error(candidate);
                            worst = Math.Max(worst, e);
                            squares += e * e;
                            if (worst > bestWorst)
                            {
                                break;
                            }
                        }

                        if (worst < bestWorst || (worst == bestWorst && squares < bestSquares))
                        {
                            (best, bestWorst, bestSquares) = (candidate, worst, squares);
                        }
                    }
                }
            }
        }

        return best ?? throw new InvalidOperationException("the modern cost model's fit found no candidate");
    }

    /// <summary>from, from + step, ... up to to (inclusive within rounding), each rounded to 12 significant digits so that grid points are the decimals the data file states.</summary>
    private static double[] Grid(double from, double to, double step)
    {
        var count = (int)Math.Floor(((to - from) / step) + 1e-9) + 1;
        return [.. Enumerable.Range(0, count).Select(i => double.Parse((from + (i * step)).ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))];
    }
}
