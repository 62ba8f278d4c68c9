using Planning.Provers.Smt;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

/// <summary>Uninterpreted function symbols (<see cref="Variable"/> with a domain) and their <see cref="Application"/>.</summary>
public sealed class ApplicationTests
{
    private static readonly Variable F = new("f", SmtSort.RealSort, [SmtSort.IntSort, SmtSort.RealSort]);

    [Fact]
    public void ToString_Application_PrintsTheSymbolAppliedToItsArguments()
    {
        Assert.Equal("(f n (/ 3.0 2.0))", new Application(F, [IntVar("n"), R(3, 2)]).ToString());
    }

    [Fact]
    public void Constructor_WrongArityArgumentSortOrConstantSymbol_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Application(F, [IntVar("n")]));
        Assert.Throws<ArgumentException>(() => new Application(F, [RealVar("x"), R(1)]));
        Assert.Throws<ArgumentException>(() => new Application(RealVar("x"), [I(1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Variable("p", SmtSort.BoolSort, [SmtSort.BoolSort]));
    }

    [Fact]
    public void Operators_BareFunctionSymbol_Throws()
    {
        Assert.Throws<ArgumentException>(() => Add(F, R(1)));
        Assert.Throws<ArgumentException>(() => Eq(F, F));
        Assert.Throws<ArgumentException>(() => new ForAll(F, Eq(R(1), R(1))));
    }

    [Fact]
    public void Equality_SameSymbolAndArguments_IsEqualAndDomainMatters()
    {
        Assert.Equal(new Application(F, [I(1), R(2)]), new Application(F, [I(1), R(2)]));
        Assert.Equal(new Application(F, [I(1), R(2)]).GetHashCode(), new Application(F, [I(1), R(2)]).GetHashCode());
        Assert.NotEqual(new Application(F, [I(1), R(2)]), new Application(F, [I(2), R(2)]));
        Assert.NotEqual(new Variable("f", SmtSort.RealSort, [SmtSort.IntSort]), new Variable("f", SmtSort.RealSort, [SmtSort.RealSort]));
        Assert.NotEqual(new Variable("f", SmtSort.RealSort, [SmtSort.IntSort]), RealVar("f"));
    }

    [Fact]
    public void FreeVariables_Application_ListsTheSymbolAndRejectsTwoSignatures()
    {
        Term term = Eq(new Application(F, [IntVar("n"), RealVar("x")]), RealVar("x"));
        Assert.Equal(["f", "n", "x"], Terms.FreeVariables([term]).Select(static v => v.Name));
        Assert.True(Terms.FreeVariables([term])[0].IsFunction);

        Variable other = new("f", SmtSort.RealSort, [SmtSort.RealSort]);
        Assert.Throws<ArgumentException>(() => Terms.FreeVariables([term, Eq(new Application(other, [R(1)]), R(1))]));
    }

    [Fact]
    public void RenameEmbedded_FunctionNamesInASymbolName_MappedOthersKept()
    {
        Assert.Equal("sum@ℕ (⟨g⟩ #j) (⟨Real.log⟩ #0)", Terms.RenameEmbedded("sum@ℕ (⟨f⟩ #j) (⟨Real.log⟩ #0)", name => name == "f" ? "g" : name));
        Assert.Equal("pow@Int", Terms.RenameEmbedded("pow@Int", static _ => "x"));
    }
}
