using System.Collections.Immutable;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>Generic traversal of the IR: children, rebuilding with new children, free variables.</summary>
internal static class ExprTree
{
    /// <summary>The direct sub-expressions, in printing order.</summary>
    public static ImmutableArray<FormalExpr> Children(FormalExpr expression)
    {
        return expression switch
        {
            CastExpr cast => [cast.Operand],
            NegateExpr negate => [negate.Operand],
            ArithmeticExpr arithmetic => [arithmetic.Left, arithmetic.Right],
            CallExpr call => call.Arguments,
            ApplyExpr apply => [apply.Function, .. apply.Arguments],
            RelationExpr relation => [relation.Left, relation.Right],
            LogicalExpr logical => [logical.Left, logical.Right],
            NotExpr not => [not.Operand],
            QuantifierExpr quantifier => [quantifier.Body],
            BigOperatorExpr big => [big.Domain, big.Body],
            SetBuilderExpr setBuilder => [setBuilder.Predicate],
            FilterExpr filter => [filter.Predicate, filter.Source],
            _ => [],
        };
    }

    /// <summary>The expression with each direct child replaced by <paramref name="map"/>'s result (same node when nothing changed).</summary>
    public static FormalExpr MapChildren(FormalExpr expression, Func<FormalExpr, FormalExpr> map)
    {
        switch (expression)
        {
            case CastExpr cast:
                return Same(cast.Operand, map(cast.Operand)) ? cast : cast with { Operand = map(cast.Operand) };
            case NegateExpr negate:
                {
                    FormalExpr operand = map(negate.Operand);
                    return Same(negate.Operand, operand) ? negate : new NegateExpr(operand);
                }

            case ArithmeticExpr arithmetic:
                {
                    FormalExpr left = map(arithmetic.Left);
                    FormalExpr right = map(arithmetic.Right);
                    return Same(arithmetic.Left, left) && Same(arithmetic.Right, right) ? arithmetic : new ArithmeticExpr(arithmetic.Operator, left, right);
                }

            case CallExpr call:
                {
                    ImmutableArray<FormalExpr> arguments = [.. call.Arguments.Select(map)];
                    return SameAll(call.Arguments, arguments) ? call : call with { Arguments = arguments };
                }

            case ApplyExpr apply:
                {
                    ImmutableArray<FormalExpr> arguments = [.. apply.Arguments.Select(map)];
                    FormalExpr function = map(apply.Function);
                    return apply with { Function = function as VariableExpr ?? apply.Function, Arguments = arguments };
                }

            case RelationExpr relation:
                {
                    FormalExpr left = map(relation.Left);
                    FormalExpr right = map(relation.Right);
                    return Same(relation.Left, left) && Same(relation.Right, right) ? relation : new RelationExpr(relation.Operator, left, right);
                }

            case LogicalExpr logical:
                {
                    FormalExpr left = map(logical.Left);
                    FormalExpr right = map(logical.Right);
                    return Same(logical.Left, left) && Same(logical.Right, right) ? logical : new LogicalExpr(logical.Operator, left, right);
                }

            case NotExpr not:
                {
                    FormalExpr operand = map(not.Operand);
                    return Same(not.Operand, operand) ? not : new NotExpr(operand);
                }

            case QuantifierExpr quantifier:
                {
                    FormalExpr body = map(quantifier.Body);
                    return Same(quantifier.Body, body) ? quantifier : quantifier with { Body = body };
                }

            case BigOperatorExpr big:
                {
                    FormalExpr domain = map(big.Domain);
                    FormalExpr body = map(big.Body);
                    return Same(big.Domain, domain) && Same(big.Body, body) ? big : new BigOperatorExpr(big.Operator, big.Index, big.IndexType, domain, body);
                }

            case SetBuilderExpr setBuilder:
                {
                    FormalExpr predicate = map(setBuilder.Predicate);
                    return Same(setBuilder.Predicate, predicate) ? setBuilder : setBuilder with { Predicate = predicate };
                }

            case FilterExpr filter:
                {
                    FormalExpr predicate = map(filter.Predicate);
                    FormalExpr source = map(filter.Source);
                    return Same(filter.Predicate, predicate) && Same(filter.Source, source) ? filter : filter with { Predicate = predicate, Source = source };
                }

            default:
                return expression;
        }
    }

    /// <summary>
    /// The expression with every free occurrence of the variable <paramref name="name"/> replaced by
    /// <paramref name="value"/>; occurrences under a binder of the same name are left alone. The caller makes sure no
    /// binder captures a free variable of <paramref name="value"/> (a closed value never is).
    /// </summary>
    public static FormalExpr Substitute(FormalExpr expression, string name, FormalExpr value)
    {
        if (expression is VariableExpr variable)
        {
            return variable.Name == name ? value : expression;
        }

        if (Binder(expression) == name)
        {
            // The binder shadows the name in its scope; a big operator's domain and a filter's source are outside it.
            return expression switch
            {
                BigOperatorExpr big => MapChildren(big, child => ReferenceEquals(child, big.Domain) ? Substitute(child, name, value) : child),
                FilterExpr filter => MapChildren(filter, child => ReferenceEquals(child, filter.Source) ? Substitute(child, name, value) : child),
                _ => expression,
            };
        }

        return MapChildren(expression, child => Substitute(child, name, value));
    }

    /// <summary>The name a node binds in its children (a quantifier, big operator, set-builder or filter variable), if any.</summary>
    public static string? Binder(FormalExpr expression)
    {
        return expression switch
        {
            QuantifierExpr quantifier => quantifier.Variable,
            BigOperatorExpr big => big.Index,
            SetBuilderExpr setBuilder => setBuilder.Variable,
            FilterExpr filter => filter.Variable,
            _ => null,
        };
    }

    /// <summary>The names of the variables that occur free.</summary>
    public static ImmutableHashSet<string> FreeVariables(FormalExpr expression)
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        CollectFree(expression, ImmutableHashSet<string>.Empty, names);
        return [.. names];
    }

    /// <summary>Every name bound anywhere in the expression.</summary>
    public static IEnumerable<string> BoundNames(FormalExpr expression)
    {
        return Descendants(expression).Select(Binder).OfType<string>();
    }

    /// <summary>The expression and all its sub-expressions, in pre-order.</summary>
    public static IEnumerable<FormalExpr> Descendants(FormalExpr expression)
    {
        Stack<FormalExpr> stack = new();
        stack.Push(expression);
        while (stack.Count > 0)
        {
            FormalExpr current = stack.Pop();
            yield return current;
            ImmutableArray<FormalExpr> children = Children(current);
            for (int i = children.Length - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
    }

    private static void CollectFree(FormalExpr expression, ImmutableHashSet<string> bound, HashSet<string> into)
    {
        if (expression is VariableExpr variable)
        {
            if (!bound.Contains(variable.Name))
            {
                into.Add(variable.Name);
            }

            return;
        }

        string? binder = Binder(expression);
        foreach (FormalExpr child in Children(expression))
        {
            // The domain of a big operator and the source of a filter are outside the binder's scope.
            bool outside = (expression is BigOperatorExpr big && ReferenceEquals(child, big.Domain))
                || (expression is FilterExpr filter && ReferenceEquals(child, filter.Source));
            CollectFree(child, binder is null || outside ? bound : bound.Add(binder), into);
        }
    }

    private static bool Same(FormalExpr before, FormalExpr after) => ReferenceEquals(before, after);

    private static bool SameAll(ImmutableArray<FormalExpr> before, ImmutableArray<FormalExpr> after)
    {
        for (int i = 0; i < before.Length; i++)
        {
            if (!ReferenceEquals(before[i], after[i]))
            {
                return false;
            }
        }

        return true;
    }
}
