using System.CommandLine;
using System.Globalization;
using Planning.Provers.Benchmarks;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan formal minif2f</c>: parse and translation rates over the miniF2F file, per family, and the rewrite/mutation
/// benchmark of the equivalence checker (self-equivalence, semantics-preserving rewrites, witnessed mutations).
/// </summary>
internal static class FormalMiniF2FCommand
{
    public static Command Create(ConsoleIo io)
    {
        var data = new Option<string?>("--data") { Description = "The miniF2F JSON Lines file (default: the 488 statements of data/minif2f/minif2f.jsonl, embedded in the tool)" };
        var limit = new Option<int?>("--limit") { Description = "Run the mutation benchmark on the first N translated statements only (default: all)" };
        var timeLimit = CommonOptions.TimeLimit(2);
        var seed = CommonOptions.Seed();
        var workers = CommonOptions.Workers();
        var backend = FormalCommands.Backend();
        var z3 = FormalCommands.Z3Executable();
        var format = CommonOptions.Format();
        var command = new Command("minif2f", "Parse/translation rates on miniF2F and the equivalence checker's rewrite and mutation benchmark")
        {
            data, limit, timeLimit, seed, workers, backend, z3, format,
        };
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(data);
            if (path is not null && !File.Exists(path))
            {
                throw new PlanningInputException("--data", $"file not found: {path}");
            }

            IReadOnlyList<MiniF2FEntry> entries;
            try
            {
                entries = path is null ? MiniF2FDataset.Parse(EmbeddedData.ReadLines(EmbeddedData.MiniF2F)) : MiniF2FDataset.Read(path);
            }
            catch (FormatException ex)
            {
                throw new PlanningInputException("--data", ex.Message);
            }

            if (parse.GetValue(limit) is < 1)
            {
                throw new PlanningInputException("--limit", $"must be at least 1, got {parse.GetValue(limit)}");
            }

            int workerCount = parse.GetValue(workers);
            if (workerCount < 0)
            {
                throw new PlanningInputException("--workers", $"must be >= 0, got {workerCount.ToString(CultureInfo.InvariantCulture)}");
            }

            var options = new MiniF2FBenchmarkOptions
            {
                CheckLimit = FormalCommands.Equivalence(parse.GetValue(timeLimit)).CheckLimit,
                MaxStatements = parse.GetValue(limit),
                Seed = parse.GetValue(seed),
                Workers = workerCount == 0 ? Math.Min(Environment.ProcessorCount, 8) : workerCount,
            };
            var benchmark = new MiniF2FBenchmark(FormalCommands.BackendFactory(parse.GetValue(backend)!, parse.GetValue(z3)!), options);
            var progress = new StderrProgress(io.Error);
            MiniF2FReport report = benchmark.Run(entries, progress);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => MiniF2FReportJson.Write(writer, report));
            }
            else
            {
                WriteTables(io, report);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Progress on stderr every 25 statements (a synchronous reporter: the benchmark may call it from workers).</summary>
    private sealed class StderrProgress(TextWriter error) : IProgress<int>
    {
        private readonly Lock _gate = new();

        public void Report(int value)
        {
            if (value % 25 == 0)
            {
                lock (_gate)
                {
                    error.WriteLine($"minif2f: {value} statements benchmarked ...");
                }
            }
        }
    }

    private static void WriteTables(ConsoleIo io, MiniF2FReport report)
    {
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"miniF2F: {report.Total} statements, {report.Parsed} parse ({report.ParseRate:P1}), {report.Translated} translate to SMT ({report.TranslationRate:P1})"));
        var families = new Table().AddColumn("family").AddColumn(new TableColumn("statements").RightAligned())
            .AddColumn(new TableColumn("parsed").RightAligned()).AddColumn(new TableColumn("translated").RightAligned());
        foreach (FamilyRow family in report.Families)
        {
            families.AddRow(family.Family, Count(family.Total), Count(family.Parsed), Count(family.Translated));
        }

        io.Tables.Write(families);
        io.Out.WriteLine("not parsed or not translated, by construct: " + string.Join(", ",
            report.Unsupported.Take(10).Select(static construct => construct.Construct + " " + Count(construct.Count))));
        MutationBenchmarkResult mutations = report.Mutations;
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"equivalence checks: {report.Timings.Count}, median {report.Timings.MedianMs:0.0} ms, p90 {report.Timings.P90Ms:0.0} ms, max {report.Timings.MaxMs:0} ms"));
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"self-equivalence (renamed, hypotheses reordered): {mutations.SelfProven} / {mutations.Statements} ({mutations.SelfRate:P1}); >= 3 rewrites proven: {mutations.WithThreeRewritesProven} / {mutations.Statements} ({mutations.ThreeRewritesRate:P1})"));
        if (mutations.SelfFailures.Any())
        {
            io.Out.WriteLine("self-equivalence not proven: " + string.Join(", ", mutations.SelfFailures.Select(static f => $"{f.Name} ({f.Self.Reason})")));
        }

        var rewrites = new Table().AddColumn("rewrite").AddColumn(new TableColumn("checked").RightAligned()).AddColumn(new TableColumn("proven").RightAligned())
            .AddColumn(new TableColumn("unknown").RightAligned()).AddColumn(new TableColumn("refuted").RightAligned());
        foreach (RewriteKindRow row in mutations.Rewrites)
        {
            rewrites.AddRow(row.Kind.ToString(), Count(row.Total), Count(row.Proven), Count(row.Unknown), Count(row.Refuted));
        }

        io.Tables.Write(rewrites);
        var table = new Table().AddColumn("mutation").AddColumn(new TableColumn("checked").RightAligned()).AddColumn(new TableColumn("witnessed").RightAligned())
            .AddColumn(new TableColumn("equivalent").RightAligned()).AddColumn(new TableColumn("FALSE equivalent").RightAligned())
            .AddColumn(new TableColumn("not equivalent").RightAligned()).AddColumn(new TableColumn("unknown").RightAligned())
            .AddColumn(new TableColumn("equivalent, witness outside a type").RightAligned());
        foreach (MutationKindRow row in mutations.Mutations)
        {
            table.AddRow(row.Kind.ToString(), Count(row.Total), Count(row.Witnessed), Count(row.EquivalentVerdicts), Count(row.FalseEquivalents),
                Count(row.NotEquivalent), Count(row.Unknown), Count(row.EquivalentAcrossTypes));
        }

        io.Tables.Write(table);
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"false equivalent verdicts on witnessed mutations: {mutations.FalseEquivalents}"));
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
