using Planning.Provers.Smt;

using static Planning.Provers.Tests.Smt.T;

namespace Planning.Provers.Tests.Smt;

public sealed class NonlinearRealQueryTests
{
    [Fact]
    public void Prepare_NonlinearRealQuery_TheAssertionsThemselves()
    {
        Term[] query = [Eq(Mul(RealVar("x"), RealVar("y")), R(2)), Gt(RealVar("x"), R(0))];

        Assert.Same(query, NonlinearRealQuery.Prepare(query));
    }

    [Fact]
    public void Prepare_DivisionByAVariable_IsNonlinear()
    {
        Term[] query = [Eq(Div(R(1), RealVar("x")), R(2))];

        Assert.Same(query, NonlinearRealQuery.Prepare(query));
    }

    [Fact]
    public void Prepare_LinearOrScaledQuery_Null()
    {
        Assert.Null(NonlinearRealQuery.Prepare([Eq(Add(Mul(R(3), RealVar("x")), Div(RealVar("y"), R(2))), R(1))]));
    }

    [Fact]
    public void Prepare_IntegerTerm_Null()
    {
        // nlsat decides real arithmetic only.
        Assert.Null(NonlinearRealQuery.Prepare([Eq(Mul(RealVar("x"), RealVar("x")), new IntToReal(IntVar("n")))]));
    }

    [Fact]
    public void Prepare_Quantifier_Null()
    {
        var x = RealVar("x");
        Assert.Null(NonlinearRealQuery.Prepare([new ForAll(x, Ge(Mul(x, x), R(0)))]));
    }

    [Fact]
    public void Prepare_FunctionApplications_FreshConstantsAndOneCongruencePerPair()
    {
        // Three distinct applications of f (f(x) twice counts once) and one of g: three pairs for f, none for g.
        Variable f = new("f", SmtSort.RealSort, [SmtSort.RealSort]);
        Variable g = new("g", SmtSort.RealSort, [SmtSort.RealSort]);
        var (x, y) = (RealVar("x"), RealVar("y"));
        Term fx = new Application(f, [x]);
        Term[] query =
        [
            Eq(Mul(fx, new Application(f, [y])), R(2)),
            Eq(fx, new Application(f, [Add(x, R(1))])),
            Gt(new Application(g, [x]), R(0)),
        ];

        var prepared = NonlinearRealQuery.Prepare(query);

        Assert.NotNull(prepared);
        Assert.Equal(query.Length + 3, prepared.Count);
        var free = Terms.FreeVariables(prepared);
        Assert.DoesNotContain(free, static v => v.IsFunction);
        Assert.Equal(2 + 4, free.Count);
    }
}
