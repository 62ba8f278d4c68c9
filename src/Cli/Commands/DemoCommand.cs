using System.CommandLine;
using System.Globalization;
using Planning.Moe;
using Planning.Solving;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan demo</c>: the main job on embedded defaults, with no arguments and no files.</summary>
internal static class DemoCommand
{
    public static Command Create(ConsoleIo io)
    {
        var timeLimit = CommonOptions.TimeLimit(10);
        var seed = CommonOptions.Seed();
        var command = new Command("demo", "Generate an EP64 MoE case and compare every balancing policy") { timeLimit, seed };
        command.SetAction(parse =>
        {
            var settings = new MoeGeneratorSettings { Seed = parse.GetValue(seed) };
            var solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeLimit)), Seed = parse.GetValue(seed) }.Validate();
            var moeCase = MoeCaseGenerator.Generate(settings);
            io.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"MoE balancing: EP{settings.Ranks}, {moeCase.Experts} experts ({settings.ExpertsPerRank} masters + {settings.RedundantSlotsPerRank} redundant slots per rank), top-{settings.TopK}, {settings.TokensPerRank} tokens per rank, target imbalance {settings.TargetImbalance:0.00}, seed {settings.Seed}"));

            var table = new Table();
            table.AddColumns("policy", "imbalance", "lower bound", "replicas", "solve time (median)", "solver");
            foreach (var name in BalancingPolicies.Names)
            {
                io.Error.WriteLine($"demo: running {name} ...");
                var plan = MoeBalancer.Balance(moeCase, BalancingPolicies.Create(name, solver));
                var layer = plan.Layers[0];
                table.AddRow(
                    name,
                    layer.Imbalance.ToString("0.0000", CultureInfo.InvariantCulture),
                    layer.LowerBound.ToString("0.0000", CultureInfo.InvariantCulture),
                    layer.Replicas.ToString(CultureInfo.InvariantCulture),
                    Microseconds(plan.Timing.MedianMicroseconds),
                    Format.Solver(layer.Solve));
            }

            io.Tables.Write(table);
            return 0;
        });
        return command;
    }

    private static string Microseconds(double microseconds) => microseconds >= 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1e6:0.000} s")
        : string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.0} us");
}
