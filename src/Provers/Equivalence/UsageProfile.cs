using Planning.Provers.Formal;

namespace Planning.Provers.Equivalence;

/// <summary>How one variable of a statement is used: a multiset of occurrence contexts and the rank of its first occurrence.</summary>
internal sealed class VariableUsage(int declarationIndex)
{
    /// <summary>Occurrence contexts (operator above, the one above that, a literal beside it, conclusion or hypothesis) with counts.</summary>
    public Dictionary<string, int> Features { get; } = new(StringComparer.Ordinal);

    /// <summary>The variable's index among the statement's binders.</summary>
    public int DeclarationIndex { get; } = declarationIndex;

    /// <summary>The order of first occurrence, the conclusion first and then the hypotheses in order; -1 when unused.</summary>
    public int Rank { get; set; } = -1;

    /// <summary>The order of first occurrence in the conclusion; -1 when absent from it.</summary>
    public int ConclusionRank { get; set; } = -1;

    public void Add(string feature)
    {
        Features[feature] = Features.TryGetValue(feature, out int count) ? count + 1 : 1;
    }
}

/// <summary>
/// The usage signatures of a statement's variables: every occurrence of a variable (not shadowed by a binder) is
/// described by the operator slot it fills (<c>x</c> in <c>x ^ 2</c> fills the base of a power; <c>a &gt; b</c> is read as
/// <c>b &lt; a</c>; operands of <c>+</c>, <c>*</c>, <c>=</c>, <c>≠</c> are unordered), the slot above that, a literal beside
/// it, and whether it is in the conclusion or a hypothesis.
/// </summary>
internal sealed class UsageProfile
{
    private const string Top = "top";

    private readonly Dictionary<string, VariableUsage> _variables;
    private readonly Dictionary<string, int> _bound = new(StringComparer.Ordinal);
    private readonly List<string> _conclusionOrder = [];
    private int _nextRank;
    private bool _inConclusion;

    private UsageProfile(FormalStatement statement)
    {
        _variables = new Dictionary<string, VariableUsage>(StringComparer.Ordinal);
        int index = 0;
        foreach (FormalVariable variable in statement.Variables.IsDefault ? [] : statement.Variables)
        {
            _variables.TryAdd(variable.Name, new VariableUsage(index++));
        }
    }

    /// <summary>The usage of each variable, by name.</summary>
    public IReadOnlyDictionary<string, VariableUsage> Variables => _variables;

    /// <summary>The variables in order of first occurrence in the conclusion.</summary>
    public IReadOnlyList<string> ConclusionOrder => _conclusionOrder;

    /// <summary>Profiles a statement.</summary>
    public static UsageProfile Of(FormalStatement statement)
    {
        UsageProfile profile = new(statement);
        profile._inConclusion = true;
        profile.Visit(statement.Conclusion, Top, string.Empty, null);
        profile._inConclusion = false;
        foreach (FormalHypothesis hypothesis in statement.Hypotheses.IsDefault ? [] : statement.Hypotheses)
        {
            profile.Visit(hypothesis.Proposition, Top, string.Empty, null);
        }

        return profile;
    }

    /// <summary>The distance between two usages: the L1 distance of the feature counts.</summary>
    public static long Distance(VariableUsage first, VariableUsage second)
    {
        long distance = 0;
        foreach (KeyValuePair<string, int> feature in first.Features)
        {
            distance += Math.Abs(feature.Value - second.Features.GetValueOrDefault(feature.Key));
        }

        foreach (KeyValuePair<string, int> feature in second.Features)
        {
            if (!first.Features.ContainsKey(feature.Key))
            {
                distance += feature.Value;
            }
        }

        return distance;
    }

    private void Visit(FormalExpr expr, string parent, string grand, FormalExpr? sibling)
    {
        switch (expr)
        {
            case VariableExpr variable:
                Record(variable.Name, parent, grand, sibling);
                break;
            case NumeralExpr or ScientificExpr:
                break;
            case CastExpr cast:
                Visit(cast.Operand, "cast:" + cast.Type, parent, null);
                break;
            case NegateExpr negate:
                Visit(negate.Operand, "neg", parent, null);
                break;
            case ArithmeticExpr arithmetic:
                Visit(arithmetic.Left, ArithmeticSlot(arithmetic.Operator, 0), parent, arithmetic.Right);
                Visit(arithmetic.Right, ArithmeticSlot(arithmetic.Operator, 1), parent, arithmetic.Left);
                break;
            case CallExpr call:
                for (int i = 0; i < call.Arguments.Length; i++)
                {
                    FormalExpr? other = call.Arguments.Length == 2 ? call.Arguments[1 - i] : null;
                    Visit(call.Arguments[i], "call:" + call.Function + "." + i, parent, other);
                }

                break;
            case ApplyExpr apply:
                Record(apply.Function.Name, apply.Inverse ? "apply⁻¹" : "apply", parent, null);
                for (int i = 0; i < apply.Arguments.Length; i++)
                {
                    Visit(apply.Arguments[i], "arg." + i, parent, null);
                }

                break;
            case RelationExpr relation:
                Visit(relation.Left, RelationSlot(relation.Operator, 0), parent, relation.Right);
                Visit(relation.Right, RelationSlot(relation.Operator, 1), parent, relation.Left);
                break;
            case LogicalExpr logical:
                Visit(logical.Left, LogicalSlot(logical.Operator, 0), parent, null);
                Visit(logical.Right, LogicalSlot(logical.Operator, 1), parent, null);
                break;
            case NotExpr not:
                Visit(not.Operand, "not", parent, null);
                break;
            case QuantifierExpr quantifier:
                Bind(quantifier.Variable);
                Visit(quantifier.Body, quantifier.Quantifier == Quantifier.ForAll ? "forall" : "exists", parent, null);
                Unbind(quantifier.Variable);
                break;
            case BigOperatorExpr big:
                Visit(big.Domain, "big.domain", parent, null);
                Bind(big.Index);
                Visit(big.Body, big.Operator == BigOperator.Sum ? "sum" : "prod", parent, null);
                Unbind(big.Index);
                break;
            case SetBuilderExpr set:
                Bind(set.Variable);
                Visit(set.Predicate, "set", parent, null);
                Unbind(set.Variable);
                break;
            case FilterExpr filter:
                Visit(filter.Source, "filter.source", parent, null);
                Bind(filter.Variable);
                Visit(filter.Predicate, "filter", parent, null);
                Unbind(filter.Variable);
                break;
            default:
                break;
        }
    }

    private void Record(string name, string parent, string grand, FormalExpr? sibling)
    {
        if (_bound.ContainsKey(name) || !_variables.TryGetValue(name, out VariableUsage? usage))
        {
            return;
        }

        if (usage.Rank < 0)
        {
            usage.Rank = _nextRank++;
        }

        if (_inConclusion && usage.ConclusionRank < 0)
        {
            usage.ConclusionRank = _conclusionOrder.Count;
            _conclusionOrder.Add(name);
        }

        usage.Add("occurrence");
        usage.Add(_inConclusion ? "C:" + parent : "H:" + parent);
        usage.Add(parent + "/" + grand);
        if (Literal(sibling) is string literal)
        {
            usage.Add(parent + "=" + literal);
        }
    }

    private static string? Literal(FormalExpr? expr)
    {
        return expr switch
        {
            NumeralExpr or ScientificExpr => expr.ToString(),
            NegateExpr { Operand: NumeralExpr or ScientificExpr } => expr.ToString(),
            CastExpr cast => Literal(cast.Operand),
            _ => null,
        };
    }

    private void Bind(string name)
    {
        _bound[name] = _bound.GetValueOrDefault(name) + 1;
    }

    private void Unbind(string name)
    {
        int count = _bound[name] - 1;
        if (count == 0)
        {
            _bound.Remove(name);
        }
        else
        {
            _bound[name] = count;
        }
    }

    private static string ArithmeticSlot(NumericOperator op, int index)
    {
        return op switch
        {
            NumericOperator.Add => "add",
            NumericOperator.Multiply => "mul",
            NumericOperator.Subtract => index == 0 ? "sub.0" : "sub.1",
            NumericOperator.Divide => index == 0 ? "div.0" : "div.1",
            NumericOperator.Modulo => index == 0 ? "mod.0" : "mod.1",
            _ => index == 0 ? "pow.0" : "pow.1",
        };
    }

    private static string RelationSlot(RelationOperator op, int index)
    {
        return op switch
        {
            RelationOperator.Equal => "eq",
            RelationOperator.NotEqual => "ne",
            RelationOperator.Less => index == 0 ? "lt.0" : "lt.1",
            RelationOperator.Greater => index == 0 ? "lt.1" : "lt.0",
            RelationOperator.LessEqual => index == 0 ? "le.0" : "le.1",
            RelationOperator.GreaterEqual => index == 0 ? "le.1" : "le.0",
            RelationOperator.Divides => index == 0 ? "dvd.0" : "dvd.1",
            RelationOperator.Member => index == 0 ? "mem.0" : "mem.1",
            _ => index == 0 ? "nmem.0" : "nmem.1",
        };
    }

    private static string LogicalSlot(LogicalOperator op, int index)
    {
        return op switch
        {
            LogicalOperator.And => "and",
            LogicalOperator.Or => "or",
            LogicalOperator.Iff => "iff",
            _ => index == 0 ? "imp.0" : "imp.1",
        };
    }
}
