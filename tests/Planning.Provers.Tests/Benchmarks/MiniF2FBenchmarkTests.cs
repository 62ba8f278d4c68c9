using Planning.Provers.Benchmarks;
using Planning.Provers.Smt;
using Planning.Provers.Tests.Lean;

namespace Planning.Provers.Tests.Benchmarks;

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

    private static string Describe(MutationBenchmarkResult mutations)
    {
        return string.Join("\n", mutations.FalseEquivalentMutations.Select(static pair => $"{pair.Statement.Name}: {pair.Mutation.Description} ({pair.Mutation.Witness})\n  {pair.Mutation.MutatedText}"));
    }
}
