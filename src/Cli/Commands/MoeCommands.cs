using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Moe;
using Planning.Moe.Json;
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
    };

    private static Command Balance(ConsoleIo io)
    {
        var input = new Option<string>("--input") { Description = "The case (CASE.json, see DESIGN.md)", Required = true };
        var policy = new Option<string>("--policy") { Description = "none | eplb | exact", DefaultValueFactory = _ => "eplb" };
        var history = new Option<string?>("--history") { Description = "Earlier loads (a case file) that eplb places from; quotas follow the input's loads" };
        var repeats = new Option<int>("--repeats") { Description = "Timed solves per layer for real-time policies (default 20)", DefaultValueFactory = _ => 20 };
        var format = CommonOptions.Format();
        var timeLimit = CommonOptions.TimeLimit(10);
        var seed = CommonOptions.Seed();
        var workers = CommonOptions.Workers();
        var command = new Command("balance", "Balance every layer of a case with one policy")
        {
            input, policy, history, repeats, format, timeLimit, seed, workers,
        };
        command.SetAction(parse =>
        {
            var moeCase = MoeCaseJson.Parse(CommonOptions.ReadInput("--input", parse.GetValue(input)!));
            var historyCase = parse.GetValue(history) is { } historyPath ? MoeCaseJson.Parse(CommonOptions.ReadInput("--history", historyPath)) : null;
            var solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeLimit)), Seed = parse.GetValue(seed), Workers = parse.GetValue(workers) }.Validate();
            var chosen = BalancingPolicies.Create(parse.GetValue(policy)!, solver);
            var plan = MoeBalancer.Balance(moeCase, chosen, historyCase, new BalanceTimingOptions { TimedSolves = parse.GetValue(repeats) });
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
        var defaults = new MoeGeneratorSettings();
        var output = new Option<string?>("--output", "-o") { Description = "Write the case to this file (default: stdout)" };
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
        var seed = CommonOptions.Seed();
        var command = new Command("generate", "Write a MoE case with Zipf-shaped hot experts")
        {
            output, ranks, expertsPerRank, slots, ranksPerNode, ranksPerDomain, groups, layers, tokens, topK, imbalance, seed,
        };
        command.SetAction(parse =>
        {
            var settings = new MoeGeneratorSettings
            {
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
                Seed = parse.GetValue(seed),
            };
            var moeCase = MoeCaseGenerator.Generate(settings);
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream =>
                {
                    using var writer = new Utf8JsonWriter(stream);
                    MoeCaseJson.Write(writer, moeCase);
                });
                var topology = MoeTopology.From(moeCase);
                var initial = moeCase.Layers.Select(l => new NoBalancingPolicy().Plan(new MoeLayerProblem(topology, l.ExpertLoads)).Imbalance);
                io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path}: {moeCase.Ranks} ranks, {moeCase.Experts} experts, {moeCase.Layers.Length} layer(s), initial imbalance {string.Join(", ", initial.Select(i => i.ToString("0.000", CultureInfo.InvariantCulture)))}"));
            }
            else
            {
                io.Out.WriteLine(MoeCaseJson.Serialize(moeCase));
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
