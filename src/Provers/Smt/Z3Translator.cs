using System.Globalization;

using Microsoft.Z3;

namespace Planning.Provers.Smt;

/// <summary>
/// Translates terms into Microsoft.Z3 expressions of one context. Variables become constants with generated names (v0,
/// v1, ... for free ones, b0, b1, ... for bound ones, abstracted by their quantifier), so no user name can capture
/// another; models are read through the constants, not the names.
/// </summary>
internal sealed class Z3Translator(Context context)
{
    private readonly Dictionary<string, Expr> _free = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FuncDecl> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Expr>> _bound = new(StringComparer.Ordinal);
    private int _nextBound;

    /// <summary>The constant standing for a free variable (created on first use).</summary>
    public Expr FreeConstant(Variable variable)
    {
        if (!_free.TryGetValue(variable.Name, out var constant))
        {
            constant = context.MkConst("v" + _free.Count.ToString(CultureInfo.InvariantCulture), SortOf(variable.Sort));
            _free.Add(variable.Name, constant);
        }

        return constant;
    }

    /// <summary>The declaration standing for a function symbol (created on first use; named f0, f1, ...).</summary>
    public FuncDecl FunctionDeclaration(Variable function)
    {
        if (!_functions.TryGetValue(function.Name, out var declaration))
        {
            var domain = new Sort[function.Domain.Length];
            for (var i = 0; i < domain.Length; i++)
            {
                domain[i] = SortOf(function.Domain[i]);
            }

            declaration = context.MkFuncDecl("f" + _functions.Count.ToString(CultureInfo.InvariantCulture), domain, SortOf(function.Sort));
            _functions.Add(function.Name, declaration);
        }

        return declaration;
    }

    public BoolExpr Formula(Term term) => (BoolExpr)Translate(term);

    private Sort SortOf(SmtSort sort) => sort switch
    {
        SmtSort.BoolSort => context.BoolSort,
        SmtSort.IntSort => context.IntSort,
        SmtSort.RealSort => context.RealSort,
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "unknown sort"),
    };

    private Expr Translate(Term term)
    {
        switch (term)
        {
            case BoolLiteral b:
                return context.MkBool(b.Value);
            case IntLiteral i:
                return context.MkInt(i.Value.ToString(CultureInfo.InvariantCulture));
            case RealLiteral r:
                // MkReal(string): Z3_mk_numeral. Not the int64 overloads (Z3_mk_real_int64 is missing in 4.8.12).
                return context.MkReal(SmtValues.Rational(r.Numerator, r.Denominator));
            case Variable v:
                return _bound.TryGetValue(v.Name, out var scopes) && scopes.Count > 0 ? scopes[^1] : FreeConstant(v);
            case Arithmetic a:
                return Arithmetic(a);
            case Application application:
                {
                    var arguments = new Expr[application.Arguments.Length];
                    for (var i = 0; i < arguments.Length; i++)
                    {
                        arguments[i] = Translate(application.Arguments[i]);
                    }

                    return context.MkApp(FunctionDeclaration(application.Function), arguments);
                }

            case UnaryMinus u:
                return context.MkUnaryMinus((ArithExpr)Translate(u.Operand));
            case IntToReal r:
                return context.MkInt2Real((IntExpr)Translate(r.Operand));
            case RealToInt r:
                return context.MkReal2Int((RealExpr)Translate(r.Operand));
            case Comparison c:
                return Comparison(c);
            case LogicalNot n:
                return context.MkNot(Formula(n.Operand));
            case Conjunction c:
                return context.MkAnd(Operands(c));
            case Disjunction d:
                return context.MkOr(Operands(d));
            case Implication i:
                return context.MkImplies(Formula(i.Premise), Formula(i.Conclusion));
            case Biconditional b:
                return context.MkIff(Formula(b.Left), Formula(b.Right));
            case IfThenElse ite:
                return context.MkITE(Formula(ite.Condition), Translate(ite.WhenTrue), Translate(ite.WhenFalse));
            case ForAll or Exists:
                return Quantifier(term);
            default:
                throw new ArgumentException($"unsupported term: {term.GetType().Name}", nameof(term));
        }
    }

    private ArithExpr Arithmetic(Arithmetic a)
    {
        var left = (ArithExpr)Translate(a.Left);
        var right = (ArithExpr)Translate(a.Right);
        return a.Operator switch
        {
            ArithmeticOperator.Add => context.MkAdd(left, right),
            ArithmeticOperator.Subtract => context.MkSub(left, right),
            ArithmeticOperator.Multiply => context.MkMul(left, right),
            // On Int operands Z3_mk_div is SMT-LIB's div; on Real ones, /.
            ArithmeticOperator.Divide or ArithmeticOperator.IntegerDivide => context.MkDiv(left, right),
            ArithmeticOperator.Modulo => context.MkMod((IntExpr)left, (IntExpr)right),
            _ => throw new ArgumentOutOfRangeException(nameof(a), a.Operator, "unknown arithmetic operator"),
        };
    }

    private BoolExpr Comparison(Comparison c)
    {
        var left = Translate(c.Left);
        var right = Translate(c.Right);
        return c.Operator switch
        {
            ComparisonOperator.Equal => context.MkEq(left, right),
            ComparisonOperator.NotEqual => context.MkNot(context.MkEq(left, right)),
            ComparisonOperator.Less => context.MkLt((ArithExpr)left, (ArithExpr)right),
            ComparisonOperator.LessOrEqual => context.MkLe((ArithExpr)left, (ArithExpr)right),
            ComparisonOperator.Greater => context.MkGt((ArithExpr)left, (ArithExpr)right),
            ComparisonOperator.GreaterOrEqual => context.MkGe((ArithExpr)left, (ArithExpr)right),
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Operator, "unknown comparison operator"),
        };
    }

    private BoolExpr[] Operands(Term chain)
    {
        var operands = new List<Term>();
        SmtLibWriter.Flatten(chain, chain.GetType(), operands);
        var result = new BoolExpr[operands.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Formula(operands[i]);
        }

        return result;
    }

    private Quantifier Quantifier(Term quantifier)
    {
        var (isForAll, variables, body) = Terms.QuantifierBlock(quantifier);

        var constants = new Expr[variables.Count];
        for (var i = 0; i < variables.Count; i++)
        {
            var name = "b" + (_nextBound++).ToString(CultureInfo.InvariantCulture);
            constants[i] = context.MkConst(name, SortOf(variables[i].Sort));
            if (!_bound.TryGetValue(variables[i].Name, out var scopes))
            {
                scopes = [];
                _bound.Add(variables[i].Name, scopes);
            }

            scopes.Add(constants[i]);
        }

        var translated = Formula(body);
        foreach (var variable in variables)
        {
            var scopes = _bound[variable.Name];
            scopes.RemoveAt(scopes.Count - 1);
        }

        return isForAll ? context.MkForall(constants, translated) : context.MkExists(constants, translated);
    }
}
