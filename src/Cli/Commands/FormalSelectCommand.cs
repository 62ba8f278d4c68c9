using System.CommandLine;
using System.Globalization;
using Planning.Embeddings;
using Planning.Provers.Selection;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan formal select</c>: choose one of k candidate formalizations of an informal statement.</summary>
internal static class FormalSelectCommand
{
    public static Command Create(ConsoleIo io)
    {
        var input = new Option<string>("--input") { Description = "CANDIDATES.json: { \"informal\": \"...\", \"candidates\": [ \"theorem ...\", ... ] }", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the symbolic score in the combination, 0..1 (default 0.5)", DefaultValueFactory = _ => SelectionOptions.Default.Alpha };
        var combination = new Option<string>("--combination") { Description = "log (default) | linear | quadratic", DefaultValueFactory = _ => "log" };
        var timeLimit = CommonOptions.TimeLimit(2);
        var workers = CommonOptions.Workers();
        var backend = FormalCommands.Backend();
        var z3 = FormalCommands.Z3Executable();
        var format = CommonOptions.Format();
        var command = new Command("select", "Cluster candidates by proven equivalence (Z3), score semantic consistency (MiniLM embeddings), select one")
        {
            input, alpha, combination, timeLimit, workers, backend, z3, format,
        };
        command.SetAction(parse =>
        {
            SelectionCandidates candidates = SelectionJson.ReadCandidates(CommonOptions.ReadInput("--input", parse.GetValue(input)!), "--input");
            SelectionOptions options = Options(parse.GetValue(alpha), parse.GetValue(combination)!, parse.GetValue(timeLimit), parse.GetValue(workers));
            var factory = FormalCommands.BackendFactory(parse.GetValue(backend)!, parse.GetValue(z3)!);
            using var embedder = new MiniLmEmbedder();
            SelectionResult result = new CandidateSelector(factory, embedder, new RuleInformalizer(), options).Select(candidates.Informal, candidates.Statements);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => SelectionJson.Write(writer, result));
            }
            else
            {
                WriteTable(io, result);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Selection options from the command line, each checked (bad values name their option).</summary>
    public static SelectionOptions Options(double alpha, string combination, double timeLimit, int workers)
    {
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new PlanningInputException("--alpha", $"must be in [0, 1], got {alpha.ToString(CultureInfo.InvariantCulture)}");
        }

        ScoreCombination chosen = combination switch
        {
            "log" => ScoreCombination.Log,
            "linear" => ScoreCombination.Linear,
            "quadratic" => ScoreCombination.Quadratic,
            _ => throw new PlanningInputException("--combination", $"unknown combination '{combination}' (expected log, linear or quadratic)"),
        };
        if (workers < 0)
        {
            throw new PlanningInputException("--workers", $"must be >= 0, got {workers.ToString(CultureInfo.InvariantCulture)}");
        }

        return new SelectionOptions
        {
            Alpha = alpha,
            Combination = chosen,
            Equivalence = FormalCommands.Equivalence(timeLimit),
            Workers = workers == 0 ? Math.Min(Environment.ProcessorCount, 8) : workers,
        };
    }

    /// <summary>A readable table: one row per candidate, the selected one marked.</summary>
    public static void WriteTable(ConsoleIo io, SelectionResult result)
    {
        var clusterOf = new Dictionary<int, int>();
        for (int c = 0; c < result.Clusters.Length; c++)
        {
            foreach (int index in result.Clusters[c])
            {
                clusterOf[index] = c;
            }
        }

        var table = new Table()
            .AddColumn("#").AddColumn("cluster").AddColumn(new TableColumn("symbolic").RightAligned())
            .AddColumn(new TableColumn("semantic").RightAligned()).AddColumn(new TableColumn("combined").RightAligned()).AddColumn("note");
        for (int i = 0; i < result.Scores.Length; i++)
        {
            string mark = i == result.Selected ? "selected" : "";
            if (result.Scores[i] is { } score)
            {
                table.AddRow(
                    i.ToString(CultureInfo.InvariantCulture),
                    clusterOf[i].ToString(CultureInfo.InvariantCulture),
                    score.Symbolic.ToString("0.000", CultureInfo.InvariantCulture),
                    score.Semantic.ToString("0.000", CultureInfo.InvariantCulture),
                    score.Combined.ToString("0.000", CultureInfo.InvariantCulture),
                    mark);
            }
            else
            {
                table.AddRow(i.ToString(CultureInfo.InvariantCulture), clusterOf[i].ToString(CultureInfo.InvariantCulture), "-", "-", "-", Markup.Escape(result.ParseErrors[i] ?? ""));
            }
        }

        io.Tables.Write(table);
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"selected {result.Selected}; {result.Clusters.Length} clusters; {result.EquivalenceChecks} equivalence checks ({result.SkippedPairs} pairs skipped); {result.Elapsed.TotalMilliseconds:0} ms"));
    }
}
