using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Planning.Embeddings;
using Planning.Knowledge;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan kb ingest</c> and <c>plan kb search</c>: the agent knowledge base (Planning.Knowledge) from the command line,
/// with the MiniLM embedder. <c>plan kb serve</c> lives in KbServeCommand.
/// </summary>
internal static class KbCommands
{
    public static Command Create(ConsoleIo io) => new("kb", "Agent knowledge base: experiences in SQLite, hybrid BM25 + MiniLM retrieval, a disagreement gate")
    {
        Ingest(io),
        Search(io),
        KbServeCommand.Create(io),
        KbGenerateCommand.Create(io),
        KbEvalCommand.Create(io),
    };

    private static Option<string> Database(bool mustExist) => new("--db")
    {
        Description = mustExist ? "The knowledge base's SQLite file (its BM25 index is FILE.bm25/)" : "The knowledge base's SQLite file, created if absent (its BM25 index is FILE.bm25/)",
        Required = true,
    };

    private static Command Ingest(ConsoleIo io)
    {
        var db = Database(mustExist: false);
        var input = new Option<string>("--input") { Description = "EXPERIENCES.jsonl: one experience a line (docs/contracts.md)", Required = true };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = $"Experiences per transaction (default {KnowledgeBaseOptions.Default.IngestBatchSize}); a crash loses at most the batch in flight",
            DefaultValueFactory = _ => KnowledgeBaseOptions.Default.IngestBatchSize,
        };
        var format = CommonOptions.Format();
        var command = new Command("ingest", "Validate a JSONL file of experiences (all of it, before anything is stored), then store it in batches, one transaction each")
        {
            db, input, batchSize, format,
        };
        command.SetAction(parse =>
        {
            string inputPath = parse.GetValue(input)!;
            int size = parse.GetValue(batchSize);
            if (size < 1)
            {
                throw new PlanningInputException("--batch-size", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {size}"));
            }

            if (!File.Exists(inputPath))
            {
                throw new PlanningInputException("--input", $"file not found: {inputPath}");
            }

            // Pass 1: validate every line, so that bad input stores nothing.
            string source = Path.GetFileName(inputPath);
            int total = 0;
            using (FileStream stream = File.OpenRead(inputPath))
            {
                foreach (Experience _ in ExperienceJson.ReadJsonl(stream, source))
                {
                    total++;
                }
            }

            io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kb ingest: {total} valid experiences in {source}; loading the MiniLM embedder ..."));
            using var embedder = new MiniLmEmbedder();
            using KnowledgeBase kb = KnowledgeBase.Open(parse.GetValue(db)!, embedder, KnowledgeBaseOptions.Default with { IngestBatchSize = size });
            var clock = Stopwatch.StartNew();
            int ingested = 0;
            var batch = new List<Experience>(size);
            using (FileStream stream = File.OpenRead(inputPath))
            {
                foreach (Experience experience in ExperienceJson.ReadJsonl(stream, source))
                {
                    batch.Add(experience);
                    if (batch.Count == size)
                    {
                        ingested += kb.Ingest(batch).Count;
                        batch.Clear();
                        io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kb ingest: {ingested} / {total} ({clock.Elapsed.TotalSeconds:0.0} s)"));
                    }
                }
            }

            if (batch.Count > 0)
            {
                ingested += kb.Ingest(batch).Count;
            }

            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("ingested", ingested);
                    writer.WriteNumber("count", kb.Count);
                    writer.WriteNumber("seconds", Math.Round(seconds, 3));
                    writer.WriteEndObject();
                });
            }
            else
            {
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ingested {ingested} experiences in {seconds:0.00} s ({(seconds > 0 ? ingested / seconds : 0):0.0} per second); the knowledge base holds {kb.Count}"));
            }

            return 0;
        });
        return command;
    }

    private static Command Search(ConsoleIo io)
    {
        var db = Database(mustExist: true);
        var query = new Option<string>("--query") { Description = "The task (stages plan and feedback) or the query text (stage hybrid)", Required = true };
        var stage = new Option<string>("--stage") { Description = "plan (default: query = the task) | feedback (query = task + --plan-step lines + --summary) | hybrid (no gate; see --mode)", DefaultValueFactory = _ => "plan" };
        var planSteps = new Option<string[]>("--plan-step") { Description = "A step of the agent's current plan (feedback stage; repeat in order)", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var summary = new Option<string>("--summary") { Description = "What happened when the plan ran (feedback stage)", DefaultValueFactory = _ => string.Empty };
        var mode = new Option<string>("--mode") { Description = "Retrievers of the hybrid stage: fusion (default) | bm25 | dense", DefaultValueFactory = _ => "fusion" };
        var k = new Option<int>("--k") { Description = "Results (default 5)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Same as --format json" };
        var format = CommonOptions.Format();
        var command = new Command("search", "Search the knowledge base: planning stage (workflows for a task), feedback stage (fixes for a plan under way) or raw hybrid retrieval")
        {
            db, query, stage, planSteps, summary, mode, k, json, format,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(db)!;
            if (!File.Exists(path))
            {
                throw new PlanningInputException("--db", $"file not found: {path}");
            }

            string stageName = parse.GetValue(stage)!;
            if (stageName is not ("plan" or "feedback" or "hybrid"))
            {
                throw new PlanningInputException("--stage", $"must be plan, feedback or hybrid, got \"{stageName}\"");
            }

            string[] steps = parse.GetValue(planSteps) ?? [];
            string summaryText = parse.GetValue(summary) ?? string.Empty;
            if (stageName != "feedback" && (steps.Length > 0 || summaryText.Length > 0))
            {
                throw new PlanningInputException(steps.Length > 0 ? "--plan-step" : "--summary", "applies to --stage feedback only");
            }

            string modeName = parse.GetValue(mode)!;
            RetrievalMode retrieval = modeName switch
            {
                "fusion" => RetrievalMode.Fusion,
                "bm25" => RetrievalMode.Bm25,
                "dense" => RetrievalMode.Dense,
                _ => throw new PlanningInputException("--mode", $"must be fusion, bm25 or dense, got \"{modeName}\""),
            };
            if (stageName != "hybrid" && retrieval != RetrievalMode.Fusion)
            {
                throw new PlanningInputException("--mode", "applies to --stage hybrid only");
            }

            int count = parse.GetValue(k);
            if (count < 1 || count > KnowledgeBaseOptions.Default.MaxResults)
            {
                throw new PlanningInputException("--k", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {KnowledgeBaseOptions.Default.MaxResults}, got {count}"));
            }

            using var embedder = new MiniLmEmbedder();
            using KnowledgeBase kb = KnowledgeBase.Open(path, embedder);
            string text = parse.GetValue(query)!;
            SearchResponse response = stageName switch
            {
                "plan" => kb.SearchPlan(text, count),
                "feedback" => kb.SearchFeedback(text, steps, summaryText, count),
                _ => kb.SearchHybrid(text, count, retrieval),
            };
            if (parse.GetValue(json) || parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => SearchResponseJson.Write(writer, response));
            }
            else
            {
                WriteTable(io, response);
            }

            return 0;
        });
        return command;
    }

    private static void WriteTable(ConsoleIo io, SearchResponse response)
    {
        var table = new Table().AddColumns("#", "id", "score", "found by", "outcome", "task", "gate");
        int rank = 0;
        foreach (SearchResult result in response.Results)
        {
            string foundBy = string.Join(" ", new[]
            {
                result.Bm25Rank is { } b ? $"bm25 #{b}" : null,
                result.DenseRank is { } d ? $"dense #{d}" : null,
            }.Where(static part => part is not null));
            string gate = result.Withheld ? "WITHHELD: " + result.Reason : result.Reason ?? string.Empty;
            table.AddRow(
                result.Withheld ? "-" : (++rank).ToString(CultureInfo.InvariantCulture),
                result.Id.ToString(CultureInfo.InvariantCulture),
                result.Score.ToString("0.0000", CultureInfo.InvariantCulture),
                foundBy,
                result.Experience.Outcome == ExperienceOutcome.Success ? "success" : "failure",
                Markup.Escape(Shorten(result.Task, 60)),
                Markup.Escape(gate));
        }

        io.Out.WriteLine($"stage {response.Stage}: {response.Results.Count(static r => !r.Withheld)} results, {response.Results.Count(static r => r.Withheld)} withheld");
        io.Tables.Write(table);
    }

    private static string Shorten(string text, int length)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : line[..(length - 3)] + "...";
    }
}
