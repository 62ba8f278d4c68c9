using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Provers.Selection;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan formal select</c>: choose one of k candidate formalizations of an informal statement.</summary>
internal static class FormalSelectCommand
{
    /// <summary>The input of <c>plan formal select</c>.</summary>
    public sealed record Candidates(string Informal, IReadOnlyList<string> Statements);

    public static Command Create(ConsoleIo io)
    {
        var input = new Option<string>("--input") { Description = "CANDIDATES.json: { \"informal\": \"...\", \"candidates\": [ \"theorem ...\", ... ] }", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the symbolic score in the combination, 0..1 (default 0.5)", DefaultValueFactory = _ => SelectionOptions.Default.Alpha };
        var combination = new Option<string>("--combination") { Description = "log (default) | linear | quadratic", DefaultValueFactory = _ => "log" };
        var timeLimit = CommonOptions.TimeLimit(2);
        var workers = CommonOptions.Workers();
        var backend = FormalCommands.Backend();
        var format = CommonOptions.Format();
        var command = new Command("select", "Cluster candidates by proven equivalence (Z3), score semantic consistency (MiniLM embeddings), select one")
        {
            input, alpha, combination, timeLimit, workers, backend, format,
        };
        command.SetAction(parse =>
        {
            Candidates candidates = Read(CommonOptions.ReadInput("--input", parse.GetValue(input)!));
            SelectionOptions options = Options(parse.GetValue(alpha), parse.GetValue(combination)!, parse.GetValue(timeLimit), parse.GetValue(workers));
            var factory = FormalCommands.BackendFactory(parse.GetValue(backend)!);
            using var embedder = new MiniLmEmbedder();
            SelectionResult result = new CandidateSelector(factory, embedder, new RuleInformalizer(), options).Select(candidates.Informal, candidates.Statements);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => Write(writer, result));
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

    /// <summary>Reads CANDIDATES.json; a malformed document or field is bad input naming the field.</summary>
    public static Candidates Read(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException("--input", "malformed JSON: " + ex.Message);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlanningInputException("--input", "expected a JSON object with 'informal' and 'candidates'");
            }

            if (!root.TryGetProperty("informal", out JsonElement informal) || informal.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(informal.GetString()))
            {
                throw new PlanningInputException("informal", "expected a non-empty string");
            }

            if (!root.TryGetProperty("candidates", out JsonElement list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw new PlanningInputException("candidates", "expected a non-empty array of Lean statements");
            }

            List<string> statements = [];
            foreach (JsonElement item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new PlanningInputException($"candidates[{statements.Count}]", $"expected a string, got {item.ValueKind.ToString().ToLowerInvariant()}");
                }

                statements.Add(item.GetString()!);
            }

            return new Candidates(informal.GetString()!, statements);
        }
    }

    /// <summary>The contract's JSON: <c>selected</c>, <c>clusters</c>, <c>scores</c>, plus diagnostics.</summary>
    public static void Write(Utf8JsonWriter writer, SelectionResult result)
    {
        writer.WriteStartObject();
        writer.WriteNumber("selected", result.Selected);
        writer.WriteStartArray("clusters");
        foreach (var cluster in result.Clusters)
        {
            writer.WriteStartArray();
            foreach (int index in cluster)
            {
                writer.WriteNumberValue(index);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("scores");
        for (int i = 0; i < result.Scores.Length; i++)
        {
            writer.WriteStartObject();
            if (result.Scores[i] is { } score)
            {
                writer.WriteNumber("symbolic", Math.Round(score.Symbolic, 6));
                writer.WriteNumber("semantic", Math.Round(score.Semantic, 6));
                writer.WriteNumber("combined", Math.Round(score.Combined, 6));
                writer.WriteNumber("normalizedSymbolic", Math.Round(score.NormalizedSymbolic, 6));
                writer.WriteNumber("normalizedSemantic", Math.Round(score.NormalizedSemantic, 6));
                writer.WriteString("informalization", result.Informalizations[i]);
            }
            else
            {
                writer.WriteNull("symbolic");
                writer.WriteNull("semantic");
                writer.WriteNull("combined");
                writer.WriteString("error", result.ParseErrors[i]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("equivalenceChecks", result.EquivalenceChecks);
        writer.WriteNumber("skippedPairs", result.SkippedPairs);
        writer.WriteNumber("milliseconds", Math.Round(result.Elapsed.TotalMilliseconds, 1));
        writer.WriteEndObject();
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
