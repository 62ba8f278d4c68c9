using System.Globalization;
using System.Text;

using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Mutations;
using Planning.Provers.Smt;
using Planning.Provers.Translation;
using Planning.Provers.Tests.Lean;

namespace Planning.Provers.Tests.Mutations;

public sealed class MiniF2FBenchmarkTests
{
    [Fact]
    public void Read_ParsesTheDataFile()
    {
        IReadOnlyList<MiniF2FEntry> entries = MiniF2FDataset.Read(MiniF2FData.FindFile());
        Assert.Equal(488, entries.Count);
        Assert.All(entries, static entry => Assert.StartsWith("theorem", entry.FormalStatement.TrimStart(), StringComparison.Ordinal));
        Assert.Contains(entries, static entry => entry.Family == "amc12");
        Assert.DoesNotContain(entries, static entry => entry.Family is "amc12a" or "aimeI" or "imosl");
    }

    [Theory]
    [InlineData("mathd_algebra_478", "mathd_algebra")]
    [InlineData("mathd_numbertheory_5", "mathd_numbertheory")]
    [InlineData("amc12a_2019_p21", "amc12")]
    [InlineData("amc12_2000_p5", "amc12")]
    [InlineData("aimeII_2001_p3", "aime")]
    [InlineData("imo_1959_p1", "imo")]
    [InlineData("induction_12dvd4expnp1p20", "induction")]
    public void FamilyOf_GroupsByPrefix(string name, string family)
    {
        Assert.Equal(family, MiniF2FDataset.FamilyOf(name));
    }

    [Fact]
    public void Run_FirstTranslatableAlgebraStatements_SelfProvenAndNoFalseEquivalents()
    {
        // The first 15 translatable quantifier-free mathd_algebra statements: quick to check. Quantified hypotheses are the
        // checker's hard case; the whole file is Run_WholeFile_WhenRequested.
        IReadOnlyList<MiniF2FEntry> all = MiniF2FDataset.Read(MiniF2FData.FindFile());
        MiniF2FEntry[] entries =
        [
            .. all.Where(static entry => entry.Family == "mathd_algebra" && !entry.FormalStatement.Contains('∀', StringComparison.Ordinal)
                && !entry.FormalStatement.Contains('∃', StringComparison.Ordinal)),
        ];
        MiniF2FBenchmark benchmark = new(static () => new Z3InProcessBackend(), new MiniF2FBenchmarkOptions
        {
            MaxStatements = 15,
            WitnessAssignments = 300,
            RewriteWitnessAssignments = 30,
        });
        MiniF2FReport report = benchmark.Run(entries);
        MutationBenchmarkResult mutations = report.Mutations;
        Assert.Equal(entries.Length, report.Total);
        Assert.InRange(report.Translated, 15, report.Parsed);
        Assert.Equal(15, mutations.Statements);
        Assert.True(mutations.SelfProven == 15, string.Join("\n", mutations.SelfFailures.Select(static failure => failure.Name + ": " + failure.Self.Reason)));
        Assert.True(mutations.FalseEquivalents == 0, Describe(mutations));
        Assert.All(mutations.Rewrites, static row => Assert.Equal(0, row.Witnessed));
        Assert.Equal(report.Families.Sum(static row => row.Translated), report.Translated);
    }

    /// <summary>
    /// The whole file, as the figures; run with PLANNING_MINIF2F_FULL=1 (PLANNING_MINIF2F_BACKEND=process for
    /// Z3 as a process, whose hard wall-clock limit also stops checks the in-process solver overruns). Writes the summary to
    /// $PLANNING_MINIF2F_REPORT, and one line per statement, as statements finish, to $PLANNING_MINIF2F_REPORT.lines.
    /// </summary>
    [Fact]
    public void Run_WholeFile_WhenRequested()
    {
        string? path = Environment.GetEnvironmentVariable("PLANNING_MINIF2F_REPORT");
        if (Environment.GetEnvironmentVariable("PLANNING_MINIF2F_FULL") != "1" || path is null)
        {
            return;
        }

        IReadOnlyList<MiniF2FEntry> entries = MiniF2FDataset.Read(MiniF2FData.FindFile());
        int workers = int.TryParse(Environment.GetEnvironmentVariable("PLANNING_MINIF2F_WORKERS"), CultureInfo.InvariantCulture, out int w) ? w : 1;
        MiniF2FBenchmarkOptions options = new() { Workers = workers };
        Func<ISmtBackend> backend = Environment.GetEnvironmentVariable("PLANNING_MINIF2F_BACKEND") == "process"
            ? static () => new Z3ProcessBackend()
            : static () => new Z3InProcessBackend();
        MiniF2FReport counts = new MiniF2FBenchmark(backend, options with { MaxStatements = 0 }).Run(entries);
        File.WriteAllText(path, Summary(counts));
        const int Chunk = 8;
        List<MiniF2FEntry> translatable = [];
        foreach (MiniF2FEntry entry in entries)
        {
            if (LeanStatementParser.TryParse(entry.FormalStatement).Statement is FormalStatement statement
                && LeanToSmt.TryTranslate(statement).Succeeded)
            {
                translatable.Add(entry);
            }
        }

        CultureInfo c = CultureInfo.InvariantCulture;
        for (int start = 0; start < translatable.Count; start += Chunk)
        {
            MiniF2FReport report = new MiniF2FBenchmark(backend, options with { Seed = start })
                .Run([.. translatable.Skip(start).Take(Chunk)]);
            StringBuilder lines = new();
            foreach (StatementBenchmark detail in report.Mutations.Details)
            {
                string checks = string.Join(",", detail.Rewrites.Select(static r => r.Check.Elapsed).Concat(detail.Mutations.Select(static m => m.Check.Elapsed))
                    .Append(detail.Self.Elapsed).Select(static t => t.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)));
                string rewrites = string.Join(",", detail.Rewrites.Select(static r => $"{r.Kind}:{r.Check.Verdict}:{(r.Witness is null ? 0 : 1)}"));
                string mutations = string.Join(",", detail.Mutations.Select(static m => $"{m.Kind}:{m.Check.Verdict}:{(m.Witness is null ? 0 : m.Witness.OutsideDomain ? 2 : 1)}"));
                lines.AppendLine(c, $"{detail.Name}\t{detail.Family}\t{detail.Self.Verdict}\t{detail.Self.Reason}\t{rewrites}\t{mutations}\t{checks}");
                foreach (MutationOutcome mutation in detail.Mutations.Where(static m => m.IsFalseEquivalent))
                {
                    lines.AppendLine(c, $"FALSE\t{detail.Name}\t{mutation.Description}\t{mutation.Witness}\t{mutation.MutatedText}");
                }
            }

            File.AppendAllText(path + ".lines", lines.ToString());
        }
    }

    private static string Describe(MutationBenchmarkResult mutations)
    {
        return string.Join("\n", mutations.FalseEquivalentMutations.Select(static pair => $"{pair.Statement.Name}: {pair.Mutation.Description} ({pair.Mutation.Witness})\n  {pair.Mutation.MutatedText}"));
    }

    private static string Summary(MiniF2FReport report)
    {
        StringBuilder builder = new();
        CultureInfo c = CultureInfo.InvariantCulture;
        MutationBenchmarkResult m = report.Mutations;
        builder.AppendLine(c, $"total {report.Total}, parsed {report.Parsed} ({report.ParseRate:P1}), translated {report.Translated} ({report.TranslationRate:P1})");
        foreach (FamilyRow row in report.Families)
        {
            builder.AppendLine(c, $"  {row.Family,-20} {row.Total,4} {row.Parsed,4} {row.Translated,4}");
        }

        foreach (ConstructCount construct in report.Unsupported)
        {
            builder.AppendLine(c, $"  unsupported {construct.Count,4} {construct.Construct}");
        }

        builder.AppendLine(c, $"checks {report.Timings.Count}: median {report.Timings.MedianMs:F1} ms, p90 {report.Timings.P90Ms:F1} ms, max {report.Timings.MaxMs:F1} ms");
        builder.AppendLine(c, $"self proven {m.SelfProven}/{m.Statements}; >=3 rewrites proven {m.WithThreeRewritesProven}/{m.Statements} ({m.ThreeRewritesRate:P1})");
        foreach (RewriteKindRow row in m.Rewrites)
        {
            builder.AppendLine(c, $"  rewrite {row.Kind,-14} total {row.Total,4} proven {row.Proven,4} unknown {row.Unknown,4} refuted {row.Refuted,4} witnessed {row.Witnessed,4}");
        }

        foreach (MutationKindRow row in m.Mutations)
        {
            builder.AppendLine(c, $"  mutation {row.Kind,-17} total {row.Total,4} witnessed {row.Witnessed,4} equivalent {row.EquivalentVerdicts,4} FALSE {row.FalseEquivalents,4} not-eq {row.NotEquivalent,4} unknown {row.Unknown,4}");
        }

        builder.AppendLine(Describe(m));
        foreach (StatementBenchmark failure in m.SelfFailures)
        {
            builder.AppendLine(c, $"  self not proven: {failure.Name}: {failure.Self.Verdict} {failure.Self.Reason}");
        }

        foreach (StatementBenchmark detail in m.Details.Where(static d => d.ProvenRewrites < 3))
        {
            string failures = string.Join("; ", detail.Rewrites.Where(static r => r.Check.Verdict != EquivalenceVerdict.Equivalent).Select(static r => r.Kind + " " + r.Check.Verdict + " " + r.Check.Reason));
            builder.AppendLine(c, $"  <3 rewrites: {detail.Name}: {detail.ProvenRewrites}/{detail.Rewrites.Length} {failures}");
        }

        return builder.ToString();
    }
}
