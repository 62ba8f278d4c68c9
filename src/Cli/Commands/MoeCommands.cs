using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Moe;
using Planning.Moe.Json;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;
using Planning.Solving;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan moe balance</c> and <c>plan moe generate</c>.</summary>
internal static class MoeCommands
{
    public static Command Create(ConsoleIo io) => new("moe", "Mixture-of-Experts expert-parallel balancing")
    {
        Balance(io),
        Generate(io),
        MoeSimulateCommand.Create(io),
        MoeExportCommand.Create(io),
        MoeImportCommand.Create(io),
        MoeSyncCommand.Create(io),
    };

    private static Command Balance(ConsoleIo io)
    {
        var input = new Option<string>("--input") { Description = "The case (CASE.json, see docs/contracts.md)", Required = true };
        var policy = new Option<string>("--policy") { Description = "none | eplb | exact | ultraep | ultraep-exact", DefaultValueFactory = _ => "eplb" };
        var previous = new Option<string?>("--previous") { Description = "UltraEP: the previous microbatch's plan (this command's JSON output); replicas already in place are preferred" };
        var expertBytes = new Option<long>("--expert-bytes") { Description = "UltraEP: bytes of one expert's weights, to report the bytes an incremental plan moves (default 0)", DefaultValueFactory = _ => 0 };
        var minQuota = new Option<long>("--min-quota") { Description = "UltraEP: fewest tokens a replica may serve (default 0: exact loads; UltraEP's GPU default is 1024)", DefaultValueFactory = _ => 0 };
        var history = new Option<string?>("--history") { Description = "Earlier loads (a case file) that eplb places from; quotas follow the input's loads" };
        var repeats = new Option<int>("--repeats") { Description = "Timed solves per layer for real-time policies (default 20)", DefaultValueFactory = _ => 20 };
        var format = CommonOptions.Format();
        var timeLimit = CommonOptions.TimeLimit(10);
        var seed = CommonOptions.Seed();
        var workers = CommonOptions.Workers();
        var command = new Command("balance", "Balance every layer of a case with one policy")
        {
            input, policy, history, repeats, format, timeLimit, seed, workers, minQuota, previous, expertBytes,
        };
        command.SetAction(parse =>
        {
            var moeCase = MoeCaseJson.Parse(CommonOptions.ReadInput("--input", parse.GetValue(input)!));
            var historyCase = parse.GetValue(history) is { } historyPath ? MoeCaseJson.Parse(CommonOptions.ReadInput("--history", historyPath)) : null;
            var solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeLimit)), Seed = parse.GetValue(seed), Workers = parse.GetValue(workers) }.Validate();
            var ultraEp = new UltraEpOptions { MinReplicaQuota = parse.GetValue(minQuota), ExpertBytes = parse.GetValue(expertBytes) }.Validate();
            var chosen = BalancingPolicies.Create(parse.GetValue(policy)!, solver, ultraEp);
            var previousPlan = parse.GetValue(previous) is { } previousPath ? BalancePlanJson.ReadPlacements(CommonOptions.ReadInput("--previous", previousPath)) : (ImmutableArray<ImmutableArray<ExpertInstance>>?)null;
            var plan = MoeBalancer.Balance(moeCase, chosen, historyCase, new BalanceTimingOptions { TimedSolves = parse.GetValue(repeats) }, previousPlan);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => BalancePlanJson.Write(writer, plan));
            }
            else
            {
                WritePlanTable(io, moeCase, plan);
            }

            return 0;
        });
        return command;
    }

    private static Command Generate(ConsoleIo io)
    {
        var defaults = new MoeWorkloadSettings();
        var output = new Option<string?>("--output", "-o") { Description = "Write the case (or, for several microbatches, the JSON Lines workload) to this file (default: stdout)" };
        var ranks = new Option<int>("--ranks") { Description = "Ranks (default 64)", DefaultValueFactory = _ => defaults.Ranks };
        var expertsPerRank = new Option<int>("--experts-per-rank") { Description = "Master experts per rank (default 4)", DefaultValueFactory = _ => defaults.ExpertsPerRank };
        var slots = new Option<int>("--redundant-slots") { Description = "Redundant slots per rank (default 2)", DefaultValueFactory = _ => defaults.RedundantSlotsPerRank };
        var ranksPerNode = new Option<int>("--ranks-per-node") { Description = "Ranks per node (default 8)", DefaultValueFactory = _ => defaults.RanksPerNode };
        var ranksPerDomain = new Option<int?>("--ranks-per-domain") { Description = "Ranks per scale-up domain (default: all ranks)" };
        var groups = new Option<int?>("--expert-groups") { Description = "EPLB expert groups (default: the number of nodes)" };
        var layers = new Option<int>("--layers") { Description = "Layers (default 1)", DefaultValueFactory = _ => defaults.Layers };
        var tokens = new Option<int>("--tokens-per-rank") { Description = "Tokens per rank per layer (default 8192)", DefaultValueFactory = _ => defaults.TokensPerRank };
        var topK = new Option<int>("--top-k") { Description = "Experts per token (default 8)", DefaultValueFactory = _ => defaults.TopK };
        var imbalance = new Option<double>("--imbalance") { Description = "Target initial imbalance, max/mean master-rank load (default 2.0)", DefaultValueFactory = _ => defaults.TargetImbalance };
        var family = new Option<string>("--family")
        {
            Description = "Workload family: zipf (default) | hot-set | hot-rank | rotating | burst | zero-load-rank",
            DefaultValueFactory = _ => MoeWorkloadFamilies.Name(defaults.Family),
        };
        var microbatches = new Option<int>("--microbatches") { Description = "Microbatches (default 1); more than 1 writes JSON Lines, one case a line", DefaultValueFactory = _ => defaults.Microbatches };
        var hotExperts = new Option<int>("--hot-experts") { Description = "Hot experts of hot-set and rotating, spiking experts of burst (default 8)", DefaultValueFactory = _ => defaults.HotExperts };
        var rotateEvery = new Option<int>("--rotate-every") { Description = "Microbatches between moves of the rotating hot set (default 4)", DefaultValueFactory = _ => defaults.RotateEvery };
        var drift = new Option<double>("--drift") { Description = "Sigma of each expert's log-popularity random walk per microbatch (default 0.05)", DefaultValueFactory = _ => defaults.Drift };
        var burstProbability = new Option<double>("--burst-probability") { Description = "Probability that a burst microbatch spikes (default 0.2)", DefaultValueFactory = _ => defaults.BurstProbability };
        var seed = CommonOptions.Seed();
        var command = new Command("generate", "Write a MoE case, or a workload of microbatches as JSON Lines, with a family of skew (Zipf, hot experts, hot rank, rotating, burst, zero-load rank)")
        {
            output, ranks, expertsPerRank, slots, ranksPerNode, ranksPerDomain, groups, layers, tokens, topK, imbalance, family, microbatches, hotExperts, rotateEvery, drift, burstProbability, seed,
        };
        command.SetAction(parse =>
        {
            var familyName = parse.GetValue(family);
            if (!MoeWorkloadFamilies.TryParse(familyName, out var chosenFamily))
            {
                throw new PlanningInputException("--family", $"must be one of {string.Join(", ", MoeWorkloadFamilies.Names)}, got \"{familyName}\"");
            }

            var settings = new MoeWorkloadSettings
            {
                Family = chosenFamily,
                Ranks = parse.GetValue(ranks),
                ExpertsPerRank = parse.GetValue(expertsPerRank),
                RedundantSlotsPerRank = parse.GetValue(slots),
                RanksPerNode = parse.GetValue(ranksPerNode),
                RanksPerDomain = parse.GetValue(ranksPerDomain) ?? parse.GetValue(ranks),
                ExpertGroups = parse.GetValue(groups),
                Layers = parse.GetValue(layers),
                TokensPerRank = parse.GetValue(tokens),
                TopK = parse.GetValue(topK),
                TargetImbalance = parse.GetValue(imbalance),
                Microbatches = parse.GetValue(microbatches),
                HotExperts = parse.GetValue(hotExperts),
                RotateEvery = parse.GetValue(rotateEvery),
                Drift = parse.GetValue(drift),
                BurstProbability = parse.GetValue(burstProbability),
                Seed = parse.GetValue(seed),
            };
            var workload = MoeWorkloadGenerator.Generate(settings);
            var cases = workload.Microbatches;
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream =>
                {
                    if (cases.Length == 1)
                    {
                        using var writer = new Utf8JsonWriter(stream);
                        MoeCaseJson.Write(writer, cases[0]);
                    }
                    else
                    {
                        MoeWorkloadJson.WriteLines(stream, cases);
                    }
                });
                var topology = MoeTopology.From(cases[0]);
                var initial = cases.Select(c => c.Layers.Select(l => new NoBalancingPolicy().Plan(new MoeLayerProblem(topology, l.ExpertLoads)).Imbalance).ToArray()).ToArray();
                var first = cases[0];
                var shape = string.Create(CultureInfo.InvariantCulture, $"{first.Ranks} ranks, {first.Experts} experts, {first.Layers.Length} layer(s)");
                var name = MoeWorkloadFamilies.Name(chosenFamily);
                if (cases.Length == 1)
                {
                    var prefix = chosenFamily == MoeWorkloadFamily.Zipf ? string.Empty : name + ", ";
                    io.Error.WriteLine($"wrote {path}: {prefix}{shape}, initial imbalance {string.Join(", ", initial[0].Select(i => i.ToString("0.000", CultureInfo.InvariantCulture)))}");
                }
                else
                {
                    var all = initial.SelectMany(i => i).ToArray();
                    io.Error.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"wrote {path}: {name}, {cases.Length} microbatches of {shape}, initial imbalance min {all.Min():0.000}, mean {all.Average():0.000}, max {all.Max():0.000}"));
                }
            }
            else if (cases.Length == 1)
            {
                io.Out.WriteLine(MoeCaseJson.Serialize(cases[0]));
            }
            else
            {
                io.Out.Write(MoeWorkloadJson.SerializeLines(cases));
            }

            return 0;
        });
        return command;
    }

    private static void WritePlanTable(ConsoleIo io, MoeCase moeCase, BalancePlan plan)
    {
        var table = new Table().Title($"policy {plan.Policy}: {moeCase.Ranks} ranks, {moeCase.Experts} experts, {moeCase.Layers.Length} layer(s)");
        table.AddColumns("layer", "imbalance", "lower bound", "replicas", "max rank load", "solver");
        for (var l = 0; l < plan.Layers.Length; l++)
        {
            var layer = plan.Layers[l];
            table.AddRow(
                l.ToString(CultureInfo.InvariantCulture),
                layer.Imbalance.ToString("0.0000", CultureInfo.InvariantCulture),
                layer.LowerBound.ToString("0.0000", CultureInfo.InvariantCulture),
                layer.Replicas.ToString(CultureInfo.InvariantCulture),
                layer.MaxRankLoad.ToString(CultureInfo.InvariantCulture),
                Format.Solver(layer.Solve));
        }

        io.Tables.Write(table);
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"solve time per layer: median {plan.Timing.MedianMicroseconds:0.0} us, p99 {plan.Timing.P99Microseconds:0.0} us over {plan.Timing.Samples} solve(s)"));
    }
}
