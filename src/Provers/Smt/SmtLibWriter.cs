using System.Globalization;
using System.Numerics;
using System.Text;

namespace Planning.Provers.Smt;

/// <summary>Writes terms as SMT-LIB 2 text.</summary>
internal sealed class SmtLibWriter
{
    private readonly StringBuilder _text = new();
    private readonly Func<Variable, string> _freeName;
    private readonly bool _renameBound;
    private readonly Dictionary<string, List<string>> _bound = new(StringComparer.Ordinal);
    private int _nextBound;

    private SmtLibWriter(Func<Variable, string> freeName, bool renameBound)
    {
        _freeName = freeName;
        _renameBound = renameBound;
    }

    /// <summary>The term with variables under their own names (quoted where SMT-LIB needs it).</summary>
    public static string Write(Term term)
    {
        var writer = new SmtLibWriter(static v => Symbol(v.Name), renameBound: false);
        writer.Append(term);
        return writer._text.ToString();
    }

    /// <summary>The term with free variables named by <paramref name="freeName"/> and bound ones renamed b0, b1, ...</summary>
    public static string Write(Term term, Func<Variable, string> freeName)
    {
        var writer = new SmtLibWriter(freeName, renameBound: true);
        writer.Append(term);
        return writer._text.ToString();
    }

    /// <summary>The SMT-LIB name of a sort.</summary>
    public static string SortName(SmtSort sort) => sort switch
    {
        SmtSort.BoolSort => "Bool",
        SmtSort.IntSort => "Int",
        SmtSort.RealSort => "Real",
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "unknown sort"),
    };

    /// <summary>A name as an SMT-LIB symbol: as is when it is a simple symbol, else between bars.</summary>
    public static string Symbol(string name)
    {
        if (IsSimpleSymbol(name))
        {
            return name;
        }

        // Bars and backslashes cannot occur inside a quoted symbol; the backends rename variables, so this is display only.
        return "|" + name.Replace('|', '_').Replace('\\', '_') + "|";
    }

    private static bool IsSimpleSymbol(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || Reserved.Contains(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"~!@$%^&*_-+=<>.?/".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "_", "!", "as", "let", "exists", "forall", "match", "par", "BINARY", "DECIMAL", "HEXADECIMAL", "NUMERAL", "STRING",
        "true", "false", "and", "or", "not", "=>", "ite", "distinct", "div", "mod", "abs", "to_real", "to_int", "is_int",
    };

    private void Append(Term term)
    {
        switch (term)
        {
            case BoolLiteral b:
                _text.Append(b.Value ? "true" : "false");
                break;
            case IntLiteral i:
                AppendInteger(i.Value, decimalPoint: false);
                break;
            case RealLiteral r:
                AppendReal(r.Numerator, r.Denominator);
                break;
            case Variable v:
                _text.Append(NameOf(v));
                break;
            case Arithmetic a:
                Apply(OperatorName(a.Operator), a.Left, a.Right);
                break;
            case Application application:
                Apply(NameOf(application.Function), [.. application.Arguments]);
                break;
            case UnaryMinus u:
                Apply("-", u.Operand);
                break;
            case IntToReal r:
                Apply("to_real", r.Operand);
                break;
            case RealToInt r:
                Apply("to_int", r.Operand);
                break;
            case Comparison c when c.Operator == ComparisonOperator.NotEqual:
                Apply("distinct", c.Left, c.Right);
                break;
            case Comparison c:
                Apply(OperatorName(c.Operator), c.Left, c.Right);
                break;
            case LogicalNot n:
                Apply("not", n.Operand);
                break;
            case Conjunction c:
                AppendChain("and", c);
                break;
            case Disjunction d:
                AppendChain("or", d);
                break;
            case Implication i:
                Apply("=>", i.Premise, i.Conclusion);
                break;
            case Biconditional b:
                Apply("=", b.Left, b.Right);
                break;
            case IfThenElse ite:
                Apply("ite", ite.Condition, ite.WhenTrue, ite.WhenFalse);
                break;
            case ForAll or Exists:
                AppendQuantifier(term);
                break;
            default:
                throw new ArgumentException($"unsupported term: {term.GetType().Name}", nameof(term));
        }
    }

    private static string OperatorName(ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        ArithmeticOperator.IntegerDivide => "div",
        ArithmeticOperator.Modulo => "mod",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown arithmetic operator"),
    };

    private static string OperatorName(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unexpected comparison operator"),
    };

    private void Apply(string head, params ReadOnlySpan<Term> arguments)
    {
        _text.Append('(').Append(head);
        foreach (var argument in arguments)
        {
            _text.Append(' ');
            Append(argument);
        }

        _text.Append(')');
    }

    private void AppendChain(string head, Term chain)
    {
        var operands = new List<Term>();
        Flatten(chain, chain.GetType(), operands);
        Apply(head, operands.ToArray());
    }

    /// <summary>The operands of a chain of one connective (conjunction or disjunction), in order.</summary>
    internal static void Flatten(Term chain, Type connective, List<Term> operands)
    {
        var pending = new Stack<Term>();
        pending.Push(chain);
        while (pending.Count > 0)
        {
            var term = pending.Pop();
            switch (term)
            {
                case Conjunction c when connective == typeof(Conjunction):
                    pending.Push(c.Right);
                    pending.Push(c.Left);
                    break;
                case Disjunction d when connective == typeof(Disjunction):
                    pending.Push(d.Right);
                    pending.Push(d.Left);
                    break;
                default:
                    operands.Add(term);
                    break;
            }
        }
    }

    private void AppendQuantifier(Term quantifier)
    {
        var (isForAll, variables, body) = Terms.QuantifierBlock(quantifier);

        _text.Append(isForAll ? "(forall (" : "(exists (");
        for (var i = 0; i < variables.Count; i++)
        {
            var name = _renameBound ? "b" + (_nextBound++).ToString(CultureInfo.InvariantCulture) : Symbol(variables[i].Name);
            if (!_bound.TryGetValue(variables[i].Name, out var scopes))
            {
                scopes = [];
                _bound.Add(variables[i].Name, scopes);
            }

            scopes.Add(name);
            _text.Append(i == 0 ? "(" : " (").Append(name).Append(' ').Append(SortName(variables[i].Sort)).Append(')');
        }

        _text.Append(") ");
        Append(body);
        _text.Append(')');
        foreach (var variable in variables)
        {
            var scopes = _bound[variable.Name];
            scopes.RemoveAt(scopes.Count - 1);
        }
    }

    private string NameOf(Variable variable) =>
        _bound.TryGetValue(variable.Name, out var scopes) && scopes.Count > 0 ? scopes[^1] : _freeName(variable);

    private void AppendInteger(BigInteger value, bool decimalPoint)
    {
        var magnitude = BigInteger.Abs(value).ToString(CultureInfo.InvariantCulture) + (decimalPoint ? ".0" : string.Empty);
        _text.Append(value.Sign < 0 ? "(- " + magnitude + ")" : magnitude);
    }

    private void AppendReal(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsOne)
        {
            AppendInteger(numerator, decimalPoint: true);
            return;
        }

        var fraction = "(/ " + BigInteger.Abs(numerator).ToString(CultureInfo.InvariantCulture) + ".0 "
            + denominator.ToString(CultureInfo.InvariantCulture) + ".0)";
        _text.Append(numerator.Sign < 0 ? "(- " + fraction + ")" : fraction);
    }
}
