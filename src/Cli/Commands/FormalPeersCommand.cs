using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan formal peers</c>: our miniF2F statements against another public Lean 4 formalization of the same problems;
/// for every pair whose texts differ, the verdict, its reason and the verdict as theorems (issue 20, item 5).
/// </summary>
internal static class FormalPeersCommand
{
    public static Command Create(ConsoleIo io)
    {
        var peer = new Option<string?>("--peer") { Description = "The peer's statements, JSON Lines with name and formal_statement (default: yangky11/miniF2F-lean4, data/minif2f-lean4, embedded)" };
        var data = new Option<string?>("--data") { Description = "Our statements (default: data/minif2f/minif2f.jsonl, embedded)" };
        var timeLimit = CommonOptions.TimeLimit(2);
        var workers = CommonOptions.Workers();
        var backend = FormalCommands.Backend();
        var z3 = FormalCommands.Z3Executable();
        var format = CommonOptions.Format();
        var command = new Command("peers", "Check our miniF2F statements against another formalization of the same problems: verdict counts, decided rate, reasons for unknown, every pair called equivalent")
        {
            peer, data, timeLimit, workers, backend, z3, format,
        };
        command.SetAction(parse =>
        {
            IReadOnlyList<MiniF2FEntry> ours = Read(parse.GetValue(data), "--data", EmbeddedData.MiniF2F);
            IReadOnlyList<MiniF2FEntry> theirs = Read(parse.GetValue(peer), "--peer", EmbeddedData.MiniF2FLean4);
            int workerCount = parse.GetValue(workers);
            if (workerCount < 0)
            {
                throw new PlanningInputException("--workers", $"must be >= 0, got {workerCount.ToString(CultureInfo.InvariantCulture)}");
            }

            var benchmark = new PeerFormalizationBenchmark(
                FormalCommands.BackendFactory(parse.GetValue(backend)!, parse.GetValue(z3)!),
                FormalCommands.Equivalence(parse.GetValue(timeLimit)).CheckLimit,
                workerCount == 0 ? Math.Min(Environment.ProcessorCount, 8) : workerCount);
            PeerReport report = benchmark.Run(ours, theirs);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => WriteJson(writer, report));
            }
            else
            {
                WriteTable(io, report);
            }

            return 0;
        });
        return command;
    }

    private static IReadOnlyList<MiniF2FEntry> Read(string? path, string field, string embedded)
    {
        if (path is not null && !File.Exists(path))
        {
            throw new PlanningInputException(field, $"file not found: {path}");
        }

        try
        {
            return path is null ? MiniF2FDataset.Parse(EmbeddedData.ReadLines(embedded)) : MiniF2FDataset.Read(path);
        }
        catch (FormatException ex)
        {
            throw new PlanningInputException(field, ex.Message);
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, PeerReport report)
    {
        writer.WriteStartObject();
        writer.WriteNumber("problems", report.Problems);
        writer.WriteNumber("identicalText", report.IdenticalText);
        writer.WriteNumber("differing", report.Pairs.Length);
        writer.WriteNumber("decided", report.Decided);
        writer.WriteNumber("decidedRate", Math.Round(report.DecidedRate, 4));
        writer.WriteStartObject("verdicts");
        foreach (EquivalenceVerdict verdict in Enum.GetValues<EquivalenceVerdict>())
        {
            writer.WriteNumber(EquivalenceResultJson.VerdictName(verdict), report.Pairs.Count(p => p.Verdict == verdict));
        }

        writer.WriteEndObject();
        writer.WriteStartArray("unknownReasons");
        foreach ((string reason, int count) in report.UnknownReasons)
        {
            writer.WriteStartObject();
            writer.WriteString("reason", reason);
            writer.WriteNumber("count", count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("pairs");
        foreach (PeerPair pair in report.Pairs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", pair.Name);
            writer.WriteString("verdict", EquivalenceResultJson.VerdictName(pair.Verdict));
            writer.WriteString("theoremVerdict", EquivalenceResultJson.VerdictName(pair.TheoremVerdict));
            writer.WriteString("reason", pair.Reason);
            writer.WriteBoolean("sameParse", pair.SameParse);
            writer.WriteNumber("milliseconds", Math.Round(pair.Milliseconds, 2));
            writer.WriteString("ours", pair.Ours);
            writer.WriteString("theirs", pair.Theirs);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTable(ConsoleIo io, PeerReport report)
    {
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Problems} problems in both; {report.IdenticalText} identical up to white space; {report.Pairs.Length} differ, {report.Decided} decided ({report.DecidedRate:P1})"));
        var verdicts = new Table().AddColumn("verdict").AddColumn(new TableColumn("pairs").RightAligned());
        foreach (EquivalenceVerdict verdict in Enum.GetValues<EquivalenceVerdict>())
        {
            verdicts.AddRow(EquivalenceResultJson.VerdictName(verdict), report.Pairs.Count(p => p.Verdict == verdict).ToString(CultureInfo.InvariantCulture));
        }

        io.Tables.Write(verdicts);
        io.Out.WriteLine("unknown, by reason: " + string.Join("; ", report.UnknownReasons.Take(12).Select(static r => $"{r.Reason} {r.Count}")));
        io.Out.WriteLine("called equivalent (review these): " + string.Join(", ", report.Pairs.Where(static p => p.Verdict == EquivalenceVerdict.Equivalent).Select(static p => p.Name)));
        io.Out.WriteLine("called not equivalent: " + string.Join(", ", report.Pairs.Where(static p => p.Verdict == EquivalenceVerdict.NotEquivalent).Select(static p => $"{p.Name} ({p.Reason})")));
    }
}
