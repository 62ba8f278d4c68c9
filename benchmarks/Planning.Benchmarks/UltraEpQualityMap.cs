using System.Diagnostics;
using System.Globalization;
using System.Text;
using Planning.Moe;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;
using Planning.Solving;
using ScottPlot;

namespace Planning.Benchmarks;

/// <summary>
/// Issue 21's quality map: UltraEP's quota planner over a grid of configurations, each layer compared with the exact
/// optimum under UltraEP's rules (<c>ultraep-exact</c>, CP-SAT) where that is affordable and with the best lower bound
/// (the domain bound and the LP relaxation) elsewhere.
/// </summary>
/// <remarks>
/// <para>Grid: (ranks, domain) in (4, 4), (8, 4), (8, 8), (16, 4), (16, 8), (16, 16), (64, 8), (64, 16), (64, 64),
/// (256, 64); 2, 4 or 8 masters and 1, 2 or 4 redundant slots per rank; per cell, two layers of each workload family
/// zipf, hot-set, hot-rank (concentrated on one rank) and zero-load-rank at initial imbalance 2.0 (1.2, then 1.0, where
/// a shape cannot reach it), 512 tokens per rank, top-4.</para>
/// <para>Reference per layer: when the planner reaches the domain bound its plan is optimal and nothing is solved;
/// otherwise, in cells of at most 16 ranks, <c>ultraep-exact</c> (CP-SAT, one worker, deterministic time limit 2,
/// warm-started from the planner) gives the optimum when it proves it, else its best plan and bound; in larger cells
/// only the LP relaxation's bound (GLOP) is computed and the gap is to the best bound (an upper bound on the gap to the
/// optimum, marked "bound" in the table).</para>
/// <para>Each layer is also planned with the greedy oracle alone (the planner before issue 21) and with EPLB.</para>
/// <para><c>dotnet run -c Release --project benchmarks/Planning.Benchmarks -- ultraep-quality-map OUTDIR</c> prints the
/// markdown table on stdout, progress on stderr, and writes <c>OUTDIR/ultraep-quality-map.csv</c> (one row per layer)
/// and <c>OUTDIR/ultraep-quality-map.png</c>.</para>
/// </remarks>
public static class UltraEpQualityMap
{
    private const double Tolerance = 0.005;

    private static readonly (int Ranks, int Domain)[] Shapes =
        [(4, 4), (8, 4), (8, 8), (16, 4), (16, 8), (16, 16), (64, 8), (64, 16), (64, 64), (256, 64)];

    private static readonly MoeWorkloadFamily[] Families =
        [MoeWorkloadFamily.Zipf, MoeWorkloadFamily.HotSet, MoeWorkloadFamily.HotRank, MoeWorkloadFamily.ZeroLoadRank];

    /// <summary>Runs the grid and writes the table, the CSV and the plot.</summary>
    /// <param name="args">The output folder, optionally <c>--max-ranks N</c> to run only the shapes of at most N ranks.</param>
    /// <returns>0 when the targets hold (99 % of layers within 0.005, none worse than 0.02), else 1; 2 on bad arguments.</returns>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var maxRanks = int.MaxValue;
        if (args is [_, "--max-ranks", var limit] && int.TryParse(limit, CultureInfo.InvariantCulture, out var parsed))
        {
            maxRanks = parsed;
        }
        else if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: ultraep-quality-map OUTDIR [--max-ranks N]");
            return 2;
        }

        var outDir = args[0];
        Directory.CreateDirectory(outDir);
        var solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(20), DeterministicTimeLimit = 2, Workers = 1, Seed = 1 };
        var cells = new List<Cell>();
        var csv = new StringBuilder("ranks,domain,masters,redundant,family,layer,ultraep,greedy,eplb,reference,referenceKind,bound\n");
        var clock = Stopwatch.StartNew();
        foreach (var (ranks, domain) in Shapes.Where(shape => shape.Ranks <= maxRanks))
        {
            foreach (var masters in new[] { 2, 4, 8 })
            {
                foreach (var redundant in new[] { 1, 2, 4 })
                {
                    var cell = new Cell(ranks, domain, masters, redundant);
                    foreach (var family in Families)
                    {
                        var moeCase = Reachable(new MoeWorkloadSettings
                        {
                            Family = family,
                            Ranks = ranks,
                            RanksPerNode = Math.Min(8, domain),
                            RanksPerDomain = domain,
                            ExpertsPerRank = masters,
                            RedundantSlotsPerRank = redundant,
                            Layers = 2,
                            TokensPerRank = 512,
                            TopK = 4,
                            HotExperts = Math.Min(8, ranks * masters / 4),
                            TargetImbalance = 2.0,
                            Seed = 1,
                        });
                        var topology = MoeTopology.From(moeCase);
                        for (var l = 0; l < moeCase.Layers.Length; l++)
                        {
                            var layer = Measure(topology, moeCase.Layers[l].ExpertLoads, ranks <= 16, solver);
                            cell.Layers.Add(layer);
                            csv.Append(CultureInfo.InvariantCulture, $"{ranks},{domain},{masters},{redundant},{MoeWorkloadFamilies.Name(family)},{l},{layer.UltraEp:0.######},{layer.Greedy:0.######},{layer.Eplb:0.######},{layer.Reference:0.######},{layer.ReferenceKind},{layer.Bound:0.######}\n");
                        }
                    }

                    cells.Add(cell);
                    Console.Error.WriteLine(FormattableString.Invariant($"[{clock.Elapsed.TotalSeconds:0}s] {cell.Name}: within {cell.ShareWithin(l => l.Gap):P0}, worst {cell.Worst(l => l.Gap):0.0000} (greedy {cell.Worst(l => l.GreedyGap):0.0000})"));
                }
            }
        }

        File.WriteAllText(Path.Combine(outDir, "ultraep-quality-map.csv"), csv.ToString());
        File.WriteAllBytes(Path.Combine(outDir, "ultraep-quality-map.png"), Render(cells));
        Console.WriteLine(Table(cells, clock.Elapsed));
        var all = cells.SelectMany(c => c.Layers).ToList();
        var share = all.Count(l => l.Gap <= Tolerance + 1e-12) / (double)all.Count;
        return share >= 0.99 && all.All(l => l.Gap <= 0.02 + 1e-12) ? 0 : 1;
    }

    private static LayerFigures Measure(MoeTopology topology, System.Collections.Immutable.ImmutableArray<long> loads, bool solve, SolverOptions solver)
    {
        var problem = new MoeLayerProblem(topology, loads);
        var plan = new UltraEpPolicy().Plan(problem);
        var greedy = new QuotaPlanner(topology, greedyOnly: true);
        var greedyMax = greedy.Solve(loads.AsSpan());
        var eplb = new EplbPolicy().Plan(problem);
        var mean = (double)problem.TotalLoad / topology.Ranks;
        double Imbalance(double max) => problem.TotalLoad == 0 ? 1.0 : max / mean;

        var domainBound = UltraEpPolicy.PlannerFor(topology).LowerBound;
        if (plan.MaxRankLoad <= domainBound)
        {
            return new LayerFigures(plan.Imbalance, Imbalance(greedyMax), eplb.Imbalance, plan.Imbalance, "optimal (bound)", plan.Imbalance);
        }

        if (solve)
        {
            var exact = new UltraEpExactPolicy(solver, UltraEpOptions.Default).Plan(problem);
            var proven = exact.Solve?.Status == SolveStatus.Optimal || exact.MaxRankLoad <= exact.Check!.Value.BestBound;
            return new LayerFigures(plan.Imbalance, Imbalance(greedyMax), eplb.Imbalance, exact.Imbalance, proven ? "optimal (cp-sat)" : "cp-sat best", Imbalance(Math.Ceiling(exact.Check!.Value.BestBound - 1e-9)));
        }

        var lp = UltraEpExactPolicy.Assignment(topology, loads, 0).LinearRelaxationBound(solver) ?? 0;
        var bound = Math.Max(domainBound, Math.Ceiling(lp - 1e-9));
        return new LayerFigures(plan.Imbalance, Imbalance(greedyMax), eplb.Imbalance, Imbalance(bound), "bound (lp)", Imbalance(bound));
    }

    /// <summary>The case, or with the initial imbalance lowered to 1.2, then 1.0, when the shape cannot reach the target.</summary>
    private static MoeCase Reachable(MoeWorkloadSettings settings)
    {
        try
        {
            return MoeCaseGenerator.Generate(settings);
        }
        catch (PlanningInputException e) when (e.Field == "imbalance" && settings.TargetImbalance > 1.0)
        {
            return Reachable(settings with { TargetImbalance = settings.TargetImbalance > 1.2 ? 1.2 : 1.0 });
        }
    }

    private static string Table(List<Cell> cells, TimeSpan elapsed)
    {
        var all = cells.SelectMany(c => c.Layers).ToList();
        var text = new StringBuilder();
        text.AppendLine("| ranks / domain | masters + redundant | layers | reference | ultraep within 0.005 | ultraep worst gap | greedy oracle within 0.005 | greedy worst gap | ultraep > eplb |");
        text.AppendLine("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var cell in cells)
        {
            var kinds = string.Join(" + ", cell.Layers.Select(l => l.ReferenceKind.Split(' ')[0]).Distinct());
            text.AppendLine(FormattableString.Invariant(
                $"| {cell.Ranks} / {cell.Domain} | {cell.Masters} + {cell.Redundant} | {cell.Layers.Count} | {kinds} | {cell.ShareWithin(l => l.Gap):P0} | {cell.Worst(l => l.Gap):0.0000} | {cell.ShareWithin(l => l.GreedyGap):P0} | {cell.Worst(l => l.GreedyGap):0.0000} | {cell.Layers.Count(l => l.UltraEp > l.Eplb + 1e-12)} |"));
        }

        text.AppendLine();
        text.AppendLine(FormattableString.Invariant(
            $"All {all.Count} layers ({elapsed.TotalSeconds:0} s): ultraep within 0.005 of the reference on {all.Count(l => l.Gap <= Tolerance + 1e-12)} ({all.Count(l => l.Gap <= Tolerance + 1e-12) / (double)all.Count:P1}), worst gap {all.Max(l => l.Gap):0.0000}; greedy oracle alone {all.Count(l => l.GreedyGap <= Tolerance + 1e-12)} ({all.Count(l => l.GreedyGap <= Tolerance + 1e-12) / (double)all.Count:P1}), worst {all.Max(l => l.GreedyGap):0.0000}; ultraep worse than eplb on {all.Count(l => l.UltraEp > l.Eplb + 1e-12)} layers, of which the reference itself is worse than eplb on {all.Count(l => l.UltraEp > l.Eplb + 1e-12 && l.Reference > l.Eplb - Tolerance)}."));
        return text.ToString();
    }

    private static byte[] Render(List<Cell> cells)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(0, cells.Count).Select(i => (double)i).ToArray();
        var greedy = plot.Add.ScatterPoints(xs, [.. cells.Select(c => c.Worst(l => l.GreedyGap))]);
        greedy.LegendText = "greedy oracle alone (before issue 21)";
        greedy.Color = new ScottPlot.Color(160, 160, 160);
        greedy.MarkerSize = 7;
        var after = plot.Add.ScatterPoints(xs, [.. cells.Select(c => c.Worst(l => l.Gap))]);
        after.LegendText = "ultraep (greedy + bin filling)";
        after.Color = new ScottPlot.Color(31, 119, 180);
        after.MarkerSize = 7;
        var target = plot.Add.HorizontalLine(Tolerance);
        target.LinePattern = LinePattern.Dashed;
        target.Color = ScottPlot.Colors.Black;
        target.LegendText = "0.005";
        var ticks = new List<(double, string)>();
        for (var i = 0; i < cells.Count; i += 9)
        {
            ticks.Add((i, $"{cells[i].Ranks}/{cells[i].Domain}"));
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(t => t.Item1)], [.. ticks.Select(t => t.Item2)]);
        plot.Title("UltraEP quota planner: worst imbalance gap per cell (to the optimum or the best bound)");
        plot.XLabel("cell (ranks / domain; then masters 2, 4, 8 x redundant 1, 2, 4)");
        plot.YLabel("worst gap (imbalance)");
        plot.ShowLegend(Alignment.UpperRight);
        using var image = plot.GetImage(1400, 600);
        return image.GetImageBytes(ImageFormat.Png);
    }

    private sealed record LayerFigures(double UltraEp, double Greedy, double Eplb, double Reference, string ReferenceKind, double Bound)
    {
        public double Gap => Math.Max(0, UltraEp - Reference);

        public double GreedyGap => Math.Max(0, Greedy - Reference);
    }

    private sealed record Cell(int Ranks, int Domain, int Masters, int Redundant)
    {
        public List<LayerFigures> Layers { get; } = [];

        public string Name => FormattableString.Invariant($"EP{Ranks} domain {Domain}, {Masters}+{Redundant}");

        public double ShareWithin(Func<LayerFigures, double> gap) => Layers.Count(l => gap(l) <= Tolerance + 1e-12) / (double)Layers.Count;

        public double Worst(Func<LayerFigures, double> gap) => Layers.Max(gap);
    }
}
