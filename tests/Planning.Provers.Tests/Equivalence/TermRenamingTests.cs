using Planning.Provers.Smt;
using Planning.Provers.Tests.Smt;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>Capture-avoiding renaming of free variables in SMT terms.</summary>
public sealed class TermRenamingTests
{
    [Fact]
    public void Rename_FreeVariables_Renamed()
    {
        Term term = T.Lt(T.RealVar("x"), T.Add(T.RealVar("y"), T.R(1)));

        Term renamed = TermRenaming.Rename(term, new Dictionary<string, string> { ["x"] = "a", ["y"] = "x" });

        Assert.Equal(T.Lt(T.RealVar("a"), T.Add(T.RealVar("x"), T.R(1))), renamed);
    }

    [Fact]
    public void Rename_NothingToRename_SameInstance()
    {
        Term term = T.Lt(T.RealVar("x"), T.R(1));

        Assert.Same(term, TermRenaming.Rename(term, new Dictionary<string, string> { ["z"] = "w" }));
    }

    [Fact]
    public void Rename_BoundVariable_Shadows()
    {
        Term term = new ForAll(T.IntVar("x"), T.Ge(T.IntVar("x"), T.IntVar("y")));

        Term renamed = TermRenaming.Rename(term, new Dictionary<string, string> { ["x"] = "a", ["y"] = "b" });

        Assert.Equal(new ForAll(T.IntVar("x"), T.Ge(T.IntVar("x"), T.IntVar("b"))), renamed);
    }

    [Fact]
    public void Rename_TargetIsBoundName_BoundVariableRenamedApart()
    {
        // ∃ x. y = x + 1 with y ↦ x must not become ∃ x. x = x + 1.
        Term term = new Exists(T.IntVar("x"), T.Eq(T.IntVar("y"), T.Add(T.IntVar("x"), T.I(1))));

        Term renamed = TermRenaming.Rename(term, new Dictionary<string, string> { ["y"] = "x" });

        Assert.Equal(new Exists(T.IntVar("x'"), T.Eq(T.IntVar("x"), T.Add(T.IntVar("x'"), T.I(1)))), renamed);
    }

    [Fact]
    public void Rename_Application_RenamesTheSymbolAndEmbeddedNames()
    {
        Variable f = new("f", SmtSort.IntSort, [SmtSort.IntSort]);
        Variable sum = new("sum@ℕ (⟨f⟩ #j)", SmtSort.IntSort, [SmtSort.IntSort]);
        Term term = T.Eq(new Application(f, [T.IntVar("n")]), new Application(sum, [T.IntVar("n")]));

        Term renamed = TermRenaming.Rename(term, new Dictionary<string, string> { ["f"] = "g", ["n"] = "m" });

        Variable g = new("g", SmtSort.IntSort, [SmtSort.IntSort]);
        Variable sumOfG = new("sum@ℕ (⟨g⟩ #j)", SmtSort.IntSort, [SmtSort.IntSort]);
        Assert.Equal(T.Eq(new Application(g, [T.IntVar("m")]), new Application(sumOfG, [T.IntVar("m")])), renamed);
    }

    [Fact]
    public void CollectNames_FreeAndBound_AllNames()
    {
        HashSet<string> names = [];

        TermRenaming.CollectNames(new ForAll(T.IntVar("k"), T.Eq(T.IntVar("k"), T.IntVar("n"))), names);

        Assert.Equal(["k", "n"], names.Order(StringComparer.Ordinal));
    }
}
