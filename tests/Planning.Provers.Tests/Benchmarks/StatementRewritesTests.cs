using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Planning.Provers.Benchmarks;
using Planning.Provers.Evaluation;
using Planning.Provers.Formal;
using Planning.Provers.Tests.Formal;

namespace Planning.Provers.Tests.Benchmarks;

public sealed class StatementRewritesTests
{
    public static class Arbitraries
    {
        public static Arbitrary<FormalStatement> Statements() => Arb.From(FormalGenerators.Statements());
    }

    private static FormalStatement Parse(string text) => LeanStatementParser.Parse(text);

    [Fact]
    public void Generate_ProducesEachKindWhereItApplies()
    {
        FormalStatement statement = Parse("theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : 0 < x) : (x + y) ^ 2 ≥ 4 * x * y := by");
        IReadOnlyList<StatementRewrite> rewrites = StatementRewrites.Generate(statement, 7);
        HashSet<RewriteKind> kinds = [.. rewrites.Select(static rewrite => rewrite.Kind)];
        Assert.Superset(new HashSet<RewriteKind> { RewriteKind.Commute, RewriteKind.FlipRelation, RewriteKind.MoveTerm, RewriteKind.ExpandSquare, RewriteKind.Combined }, kinds);
        Assert.All(rewrites, rewrite => Assert.NotEqual(statement, rewrite.Statement));
        Assert.Equal(rewrites, StatementRewrites.Generate(statement, 7));
    }

    [Fact]
    public void Rules_RewriteAsDocumented()
    {
        FormalStatement statement = Parse("theorem t (a b c : ℤ) (h : a + b = c) : (a - b) ^ 2 < c := by");
        string Apply(Func<FormalExpr, FormalExpr?> rule) => LeanPrinter.Print(StatementEdits.Apply(statement, rule, static _ => true));
        Assert.Equal("theorem t (a b c : ℤ) (h : c = b + a) : (a - b) ^ 2 < c := by", Apply(StatementRewrites.CommuteRule));
        Assert.Equal("theorem t (a b c : ℤ) (h : a + b = c) : c > (a - b) ^ 2 := by", Apply(StatementRewrites.FlipRule));
        Assert.Equal("theorem t (a b c : ℤ) (h : a = c - b) : (a - b) ^ 2 - c < 0 := by", Apply(StatementRewrites.MoveRule));
        Assert.Equal("theorem t (a b c : ℤ) (h : a + b = c) : a ^ 2 - 2 * a * b + b ^ 2 < c := by", Apply(StatementRewrites.ExpandRule));
    }

    [Fact]
    public void NewRules_RewriteAsDocumented()
    {
        FormalStatement statement = Parse("theorem t (a b c : ℤ) (h : a * (b + c) = 0) : a < b := by");
        string Apply(Func<FormalExpr, FormalExpr?> rule) => LeanPrinter.Print(StatementEdits.Apply(statement, rule, static _ => true));
        Assert.Equal("theorem t (a b c : ℤ) (h : a * b + a * c = 0) : a < b := by", Apply(StatementRewrites.DistributeRule));
        Assert.Equal("theorem t (a b c : ℤ) (h : -(a * (b + c)) = -0) : -b < -a := by", Apply(StatementRewrites.NegateSidesRule));
        Assert.Equal("theorem t (a b c : ℤ) (h : a * (b + c) ≤ 0 ∧ 0 ≤ a * (b + c)) : ¬b ≤ a := by", Apply(StatementRewrites.RestateRule));
    }

    [Fact]
    public void NewRules_OnNat_DistributeOverSumsAndRestateOnly()
    {
        FormalStatement statement = Parse("theorem t (a b c : ℕ) (h : (a + b) * c ≠ 4) : a * (b - c) ≤ 7 := by");
        Assert.Equal(1, StatementEdits.CountSites(statement, StatementRewrites.DistributeRule)); // not over ℕ's truncated subtraction
        Assert.Equal(0, StatementEdits.CountSites(statement, StatementRewrites.NegateSidesRule));
        Assert.Equal(
            "theorem t (a b c : ℕ) (h : (a + b) * c < 4 ∨ 4 < (a + b) * c) : ¬7 < a * (b - c) := by",
            LeanPrinter.Print(StatementEdits.Apply(statement, StatementRewrites.RestateRule, static _ => true)));
    }

    [Fact]
    public void MoveTerm_DoesNotApplyOnNat()
    {
        FormalStatement statement = Parse("theorem t (a b c : ℕ) (h : a + b = c) : a - b < c := by");
        Assert.Equal(0, StatementEdits.CountSites(statement, StatementRewrites.MoveRule));
    }

    [Fact]
    public void RenameAndReorder_RenamesConsistentlyAndRespectsShadowing()
    {
        FormalStatement statement = Parse("theorem t (x n : ℕ) (h₀ : 0 < x) (h₁ : ∀ x : ℕ, x < n → x ≤ n) : ∑ x in Finset.range n, x = n := by");
        StatementRewrite rewrite = StatementRewrites.RenameAndReorder(statement, 3);
        string text = LeanPrinter.Print(rewrite.Statement);
        Assert.Equal("theorem t (v0' v1' : ℕ) (h₁ : ∀ x : ℕ, x < v1' → x ≤ v1') (h₀ : 0 < v0') : ∑ x : ℕ in Finset.range v1', x = v1' := by", text);
        Assert.Equal(rewrite.Statement, LeanStatementParser.Parse(text));
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(Arbitraries)])]
    public void Generate_PreservesMeaningAtRandomPoints(FormalStatement statement, int seed)
    {
        Random random = new(seed);
        foreach (StatementRewrite rewrite in StatementRewrites.Generate(statement, seed))
        {
            for (int i = 0; i < 10; i++)
            {
                Dictionary<string, Rational> assignment = RandomStatements.Assignment(random, statement.Variables);
                RandomStatements.AgreeAt(statement, rewrite.Statement, assignment, out string? disagreement);
                Assert.True(disagreement is null, $"{rewrite.Kind} ({rewrite.Description}): {disagreement}\n{statement}\n{rewrite.Statement}");
            }
        }
    }

    [Property(MaxTest = 300)]
    public void Generate_PreservesMeaningOfSmallPolynomialStatements(int seed)
    {
        Random random = new(seed);
        FormalStatement statement = RandomStatements.Statement(random);
        foreach (StatementRewrite rewrite in StatementRewrites.Generate(statement, seed))
        {
            for (int i = 0; i < 20; i++)
            {
                Dictionary<string, Rational> assignment = RandomStatements.Assignment(random, statement.Variables);
                RandomStatements.AgreeAt(statement, rewrite.Statement, assignment, out string? disagreement);
                Assert.True(disagreement is null, $"{rewrite.Kind} ({rewrite.Description}): {disagreement}\n{statement}\n{rewrite.Statement}");
            }
        }
    }
}
