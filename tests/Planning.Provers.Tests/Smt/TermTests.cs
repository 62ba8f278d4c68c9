using System.Numerics;

using Planning.Provers.Smt;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

public sealed class TermTests
{
    [Fact]
    public void ToString_Quadratic_PrintsSmtLib()
    {
        var (left, right) = Quadratic();
        Assert.Equal("(= (+ (- (* x x) (* 5.0 x)) 6.0) 0.0)", left.ToString());
        Assert.Equal("(or (= x 2.0) (= x 3.0))", right.ToString());
    }

    [Fact]
    public void ToString_NegativeAndFractionalLiterals_PrintsSmtLibForms()
    {
        Assert.Equal("(- 7)", I(-7).ToString());
        Assert.Equal("(/ 1.0 3.0)", R(2, 6).ToString());
        Assert.Equal("(- (/ 1.0 3.0))", R(1, -3).ToString());
        Assert.Equal("(- 4.0)", R(-8, 2).ToString());
    }

    [Fact]
    public void ToString_ChainsAndNestedQuantifiers_PrintFlat()
    {
        var p = BoolVar("p");
        var q = BoolVar("q");
        var r = BoolVar("r");
        Assert.Equal("(and p q r)", And(p, q, r).ToString());
        Assert.Equal("(or p (and q r))", Or(p, And(q, r)).ToString());
        var a = IntVar("a");
        var b = IntVar("b");
        Assert.Equal("(forall ((a Int) (b Int)) (exists ((c Real)) (<= (to_real a) c)))",
            Terms.ForAll([a, b], new Exists(RealVar("c"), Le(new IntToReal(a), RealVar("c")))).ToString());
    }

    [Fact]
    public void ToString_NamesThatAreNotSimpleSymbols_AreQuoted()
    {
        Assert.Equal("(= |x₀| |2y|)", Eq(IntVar("x₀"), IntVar("2y")).ToString());
        Assert.Equal("|and|", BoolVar("and").ToString());
    }

    [Fact]
    public void RealLiteral_Normalizes_LowestTermsPositiveDenominator()
    {
        var literal = R(6, -4);
        Assert.Equal(new BigInteger(-3), literal.Numerator);
        Assert.Equal(new BigInteger(2), literal.Denominator);
        Assert.Equal(R(-3, 2), literal);
        Assert.Throws<ArgumentOutOfRangeException>(() => R(1, 0));
    }

    [Fact]
    public void Equality_SameStructure_IsEqual()
    {
        Assert.Equal(Quadratic().Left, Quadratic().Left);
        Assert.Equal(Quadratic().Left.GetHashCode(), Quadratic().Left.GetHashCode());
        Assert.NotEqual(Quadratic(7).Left, Quadratic().Left);
        Assert.NotEqual<Term>(IntVar("x"), RealVar("x"));
    }

    [Fact]
    public void Constructors_IllSorted_ThrowWithTheTerms()
    {
        var error = Assert.Throws<ArgumentException>(() => Add(IntVar("n"), RealVar("x")));
        Assert.Contains("Int and Real", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Div(I(1), I(2)));
        Assert.Throws<ArgumentException>(() => Mod(R(1), R(2)));
        Assert.Throws<ArgumentException>(() => Lt(BoolVar("p"), BoolVar("q")));
        Assert.Throws<ArgumentException>(() => And(IntVar("n")));
        Assert.Throws<ArgumentException>(() => new ForAll(IntVar("n"), IntVar("n")));
        Assert.Throws<ArgumentException>(() => new IfThenElse(BoolVar("p"), I(1), R(1)));
        Assert.Throws<ArgumentException>(() => new Variable("", SmtSort.IntSort));
        Assert.Equal(SmtSort.BoolSort, Eq(BoolVar("p"), BoolVar("q")).Sort);
    }

    [Fact]
    public void FreeVariables_BoundNamesShadow_FirstOccurrenceOrder()
    {
        var x = IntVar("x");
        var formula = And(Gt(IntVar("y"), I(0)), new ForAll(x, Ge(Mul(x, x), I(0))), Lt(x, IntVar("y")));
        Assert.Equal([IntVar("y"), x], Terms.FreeVariables([formula]));
    }

    [Fact]
    public void FreeVariables_NameWithTwoSorts_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Terms.FreeVariables([Gt(IntVar("x"), I(0)), Gt(RealVar("x"), R(0))]));
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);

        // Inside a binder the name refers to the bound variable, whose sort must match.
        Assert.Throws<ArgumentException>(() => Terms.FreeVariables([new Exists(IntVar("x"), Gt(RealVar("x"), R(0)))]));

        // A binder may rebind a free name with another sort.
        Assert.Equal([RealVar("x")], Terms.FreeVariables([And(Gt(RealVar("x"), R(0)), new Exists(IntVar("x"), Gt(IntVar("x"), I(0))))]));
    }

    [Fact]
    public void AllAndAny_EmptyAndSingle_GiveUnitsAndTheFormula()
    {
        Assert.Equal(BoolLiteral.True, Terms.All([]));
        Assert.Equal(BoolLiteral.False, Terms.Any([]));
        Assert.Equal(BoolVar("p"), Terms.All([BoolVar("p")]));
    }
}
