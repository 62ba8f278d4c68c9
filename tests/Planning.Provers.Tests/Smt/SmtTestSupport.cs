using System.Globalization;
using System.Numerics;

using Planning.Provers.Smt;

namespace Planning.Provers.Tests.Smt;

/// <summary>Short builders for terms, the two backends by name, and an exact evaluator (an oracle independent of Z3).</summary>
internal static class T
{
    public static Variable IntVar(string name) => new(name, SmtSort.IntSort);

    public static Variable RealVar(string name) => new(name, SmtSort.RealSort);

    public static Variable BoolVar(string name) => new(name, SmtSort.BoolSort);

    public static IntLiteral I(long value) => new(value);

    public static RealLiteral R(long numerator, long denominator = 1) => new(numerator, denominator);

    public static Term Add(Term a, Term b) => new Arithmetic(ArithmeticOperator.Add, a, b);

    public static Term Sub(Term a, Term b) => new Arithmetic(ArithmeticOperator.Subtract, a, b);

    public static Term Mul(Term a, Term b) => new Arithmetic(ArithmeticOperator.Multiply, a, b);

    public static Term Div(Term a, Term b) => new Arithmetic(ArithmeticOperator.Divide, a, b);

    public static Term IntDiv(Term a, Term b) => new Arithmetic(ArithmeticOperator.IntegerDivide, a, b);

    public static Term Mod(Term a, Term b) => new Arithmetic(ArithmeticOperator.Modulo, a, b);

    public static Term Eq(Term a, Term b) => new Comparison(ComparisonOperator.Equal, a, b);

    public static Term Ne(Term a, Term b) => new Comparison(ComparisonOperator.NotEqual, a, b);

    public static Term Lt(Term a, Term b) => new Comparison(ComparisonOperator.Less, a, b);

    public static Term Le(Term a, Term b) => new Comparison(ComparisonOperator.LessOrEqual, a, b);

    public static Term Gt(Term a, Term b) => new Comparison(ComparisonOperator.Greater, a, b);

    public static Term Ge(Term a, Term b) => new Comparison(ComparisonOperator.GreaterOrEqual, a, b);

    public static Term And(params Term[] formulas) => Terms.All(formulas);

    public static Term Or(params Term[] formulas) => Terms.Any(formulas);

    public static Term Not(Term formula) => new LogicalNot(formula);

    public static Term Iff(Term a, Term b) => new Biconditional(a, b);

    public static Term Implies(Term a, Term b) => new Implication(a, b);

    /// <summary>x^2 - 5x + c = 0 ↔ x = 2 ∨ x = 3 over the reals: an equivalence when c = 6.</summary>
    public static (Term Left, Term Right) Quadratic(long c = 6, long root1 = 2, long root2 = 3)
    {
        var x = RealVar("x");
        var left = Eq(Add(Sub(Mul(x, x), Mul(R(5), x)), R(c)), R(0));
        var right = Or(Eq(x, R(root1)), Eq(x, R(root2)));
        return (left, right);
    }

    /// <summary>x mod m = r ↔ ∃k. x = m·k + r over the integers: an equivalence when 0 ≤ r &lt; m.</summary>
    public static (Term Left, Term Right) OddFamily(long m = 2, long r = 1)
    {
        var x = IntVar("x");
        var k = IntVar("k");
        var left = Eq(Mod(x, I(m)), I(r));
        var right = new Exists(k, Eq(x, Add(Mul(I(m), k), I(r))));
        return (left, right);
    }

    /// <summary>n(n+1) mod 2 = 0 over the integers: valid, but Z3 4.8.12 does not finish it.</summary>
    public static Term ConsecutiveProductEven()
    {
        var n = IntVar("n");
        return Eq(Mod(Mul(n, Add(n, I(1))), I(2)), I(0));
    }

    /// <summary>
    /// The issue's hypotheses as the translation poses them: 2x² = 4x + 9 and x = √b / c (s = √b: s ≥ 0, s² = b; Lean's
    /// x / 0 = 0), b and c natural. Z3 4.8.12 runs nlsat on it unbounded (it ignores interrupts); without nlsat it gives up
    /// at once.
    /// </summary>
    public static IReadOnlyList<Term> IssueHypotheses()
    {
        var x = RealVar("x");
        var s = RealVar("s");
        var b = IntVar("b");
        var c = IntVar("c");
        return
        [
            Ge(b, I(0)), Ge(c, I(0)), Ge(s, R(0)), Eq(Mul(s, s), new IntToReal(b)),
            Eq(Mul(R(2), Mul(x, x)), Add(Mul(R(4), x), R(9))),
            Implies(Eq(c, I(0)), Eq(x, R(0))),
            Implies(Ne(c, I(0)), Eq(Mul(x, new IntToReal(c)), s)),
        ];
    }

    /// <summary>
    /// Pell's equation x^2 - 61y^2 = 1 with y &gt; 0 (smallest solution x = 1766319049): in push/pop mode Z3 4.8.12
    /// overshoots its own timeout on it (0.9 s -> about 1.8 s).
    /// </summary>
    public static IReadOnlyList<Term> Pell()
    {
        var x = IntVar("x");
        var y = IntVar("y");
        return [Eq(Sub(Mul(x, x), Mul(I(61), Mul(y, y))), I(1)), Gt(y, I(0))];
    }
}

/// <summary>The two backends, by name, for theories.</summary>
internal static class Backends
{
    public const string InProcess = "z3-inprocess";
    public const string Process = "z3-process";

    public static TheoryData<string> Names => [InProcess, Process];

    public static ISmtBackend Create(string name) => name switch
    {
        InProcess => new Z3InProcessBackend(),
        Process => new Z3ProcessBackend(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown backend"),
    };
}

/// <summary>An exact rational, for the evaluator.</summary>
internal readonly record struct Rational
{
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        Numerator = gcd.IsZero || gcd.IsOne ? numerator : numerator / gcd;
        Denominator = gcd.IsZero || gcd.IsOne ? denominator : denominator / gcd;
    }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public static Rational Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? new Rational(BigInteger.Parse(text, CultureInfo.InvariantCulture), BigInteger.One)
            : new Rational(BigInteger.Parse(text[..slash], CultureInfo.InvariantCulture), BigInteger.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture));
    }

    public int CompareTo(Rational other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);
}

/// <summary>Evaluates quantifier-free terms exactly, given values of the free variables (as the backends print them).</summary>
internal static class Evaluator
{
    public static bool Holds(Term formula, IReadOnlyDictionary<string, string> model) => (bool)Evaluate(formula, model);

    public static object Evaluate(Term term, IReadOnlyDictionary<string, string> model) => term switch
    {
        BoolLiteral b => b.Value,
        IntLiteral i => new Rational(i.Value, BigInteger.One),
        RealLiteral r => new Rational(r.Numerator, r.Denominator),
        Variable { Sort: SmtSort.BoolSort } v => model[v.Name] == "true",
        Variable v => Rational.Parse(model[v.Name]),
        Arithmetic a => Arithmetic(a.Operator, (Rational)Evaluate(a.Left, model), (Rational)Evaluate(a.Right, model)),
        UnaryMinus u => Negate((Rational)Evaluate(u.Operand, model)),
        IntToReal r => Evaluate(r.Operand, model),
        Comparison c => Compare(c.Operator, Evaluate(c.Left, model), Evaluate(c.Right, model)),
        LogicalNot n => !(bool)Evaluate(n.Operand, model),
        Conjunction c => (bool)Evaluate(c.Left, model) && (bool)Evaluate(c.Right, model),
        Disjunction d => (bool)Evaluate(d.Left, model) || (bool)Evaluate(d.Right, model),
        Implication i => !(bool)Evaluate(i.Premise, model) || (bool)Evaluate(i.Conclusion, model),
        Biconditional b => (bool)Evaluate(b.Left, model) == (bool)Evaluate(b.Right, model),
        IfThenElse ite => (bool)Evaluate(ite.Condition, model) ? Evaluate(ite.WhenTrue, model) : Evaluate(ite.WhenFalse, model),
        _ => throw new NotSupportedException("cannot evaluate " + term),
    };

    private static Rational Negate(Rational value) => new(-value.Numerator, value.Denominator);

    private static Rational Arithmetic(ArithmeticOperator op, Rational a, Rational b)
    {
        switch (op)
        {
            case ArithmeticOperator.Add:
                return new Rational((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator), a.Denominator * b.Denominator);
            case ArithmeticOperator.Subtract:
                return new Rational((a.Numerator * b.Denominator) - (b.Numerator * a.Denominator), a.Denominator * b.Denominator);
            case ArithmeticOperator.Multiply:
                return new Rational(a.Numerator * b.Numerator, a.Denominator * b.Denominator);
            case ArithmeticOperator.Divide:
                return new Rational(a.Numerator * b.Denominator, a.Denominator * b.Numerator);
            case ArithmeticOperator.IntegerDivide or ArithmeticOperator.Modulo:
                // Euclidean: the remainder is in [0, |b|).
                var remainder = BigInteger.Remainder(a.Numerator, BigInteger.Abs(b.Numerator));
                if (remainder.Sign < 0)
                {
                    remainder += BigInteger.Abs(b.Numerator);
                }

                var quotient = (a.Numerator - remainder) / b.Numerator;
                return new Rational(op == ArithmeticOperator.Modulo ? remainder : quotient, BigInteger.One);
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static bool Compare(ComparisonOperator op, object a, object b)
    {
        if (a is bool x && b is bool y)
        {
            return op == ComparisonOperator.Equal ? x == y : x != y;
        }

        var order = ((Rational)a).CompareTo((Rational)b);
        return op switch
        {
            ComparisonOperator.Equal => order == 0,
            ComparisonOperator.NotEqual => order != 0,
            ComparisonOperator.Less => order < 0,
            ComparisonOperator.LessOrEqual => order <= 0,
            ComparisonOperator.Greater => order > 0,
            ComparisonOperator.GreaterOrEqual => order >= 0,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
    }
}
