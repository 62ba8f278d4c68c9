namespace Planning.Provers.Smt;

/// <summary>
/// Capture-avoiding renaming of the free variables of terms: <c>Rename(∀ y. x &lt; y, {x ↦ y})</c> is
/// <c>∀ y'. y &lt; y'</c>, never <c>∀ y. y &lt; y</c>. Bound variables shadow the renaming inside their binder, and a
/// bound variable whose name is the target of a renaming is itself renamed apart (with a <c>'</c> suffix).
/// </summary>
internal static class TermRenaming
{
    /// <summary>Renames the free variables of a term; sorts are kept. Returns the term itself when nothing changes.</summary>
    /// <param name="term">The term.</param>
    /// <param name="renaming">Old name to new name for free variables; names absent from it are kept.</param>
    /// <returns>The renamed term.</returns>
    public static Term Rename(Term term, IReadOnlyDictionary<string, string> renaming)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(renaming);
        if (renaming.Count == 0)
        {
            return term;
        }

        HashSet<string> targets = new(renaming.Values, StringComparer.Ordinal);
        return new Renamer(renaming, targets).Visit(term);
    }

    /// <summary>Adds the names of all variables of a term, free and bound, to a set.</summary>
    /// <param name="term">The term.</param>
    /// <param name="names">The set to add to.</param>
    public static void CollectNames(Term term, ISet<string> names)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(names);
        Stack<Term> pending = new();
        pending.Push(term);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case Variable v:
                    names.Add(v.Name);
                    break;
                case ForAll q:
                    names.Add(q.Bound.Name);
                    pending.Push(q.Body);
                    break;
                case Exists q:
                    names.Add(q.Bound.Name);
                    pending.Push(q.Body);
                    break;
                case var composite:
                    Terms.PushOperands(pending, composite);
                    break;
            }
        }
    }

    private sealed class Renamer(IReadOnlyDictionary<string, string> renaming, HashSet<string> targets)
    {
        public Term Visit(Term term)
        {
            switch (term)
            {
                case Variable v:
                    {
                        string name = renaming.TryGetValue(v.Name, out string? target)
                            ? target
                            : v.IsFunction ? Terms.RenameEmbedded(v.Name, inner => renaming.GetValueOrDefault(inner, inner)) : v.Name;
                        return string.Equals(name, v.Name, StringComparison.Ordinal) ? v : v.WithName(name);
                    }
                case BoolLiteral or IntLiteral or RealLiteral:
                    return term;
                case Arithmetic a:
                    {
                        Term left = Visit(a.Left);
                        Term right = Visit(a.Right);
                        return Same(left, a.Left) && Same(right, a.Right) ? a : new Arithmetic(a.Operator, left, right);
                    }

                case Comparison c:
                    {
                        Term left = Visit(c.Left);
                        Term right = Visit(c.Right);
                        return Same(left, c.Left) && Same(right, c.Right) ? c : new Comparison(c.Operator, left, right);
                    }

                case Conjunction c:
                    {
                        Term left = Visit(c.Left);
                        Term right = Visit(c.Right);
                        return Same(left, c.Left) && Same(right, c.Right) ? c : new Conjunction(left, right);
                    }

                case Disjunction d:
                    {
                        Term left = Visit(d.Left);
                        Term right = Visit(d.Right);
                        return Same(left, d.Left) && Same(right, d.Right) ? d : new Disjunction(left, right);
                    }

                case Implication i:
                    {
                        Term premise = Visit(i.Premise);
                        Term conclusion = Visit(i.Conclusion);
                        return Same(premise, i.Premise) && Same(conclusion, i.Conclusion) ? i : new Implication(premise, conclusion);
                    }

                case Biconditional b:
                    {
                        Term left = Visit(b.Left);
                        Term right = Visit(b.Right);
                        return Same(left, b.Left) && Same(right, b.Right) ? b : new Biconditional(left, right);
                    }

                case IfThenElse ite:
                    {
                        Term condition = Visit(ite.Condition);
                        Term whenTrue = Visit(ite.WhenTrue);
                        Term whenFalse = Visit(ite.WhenFalse);
                        return Same(condition, ite.Condition) && Same(whenTrue, ite.WhenTrue) && Same(whenFalse, ite.WhenFalse)
                            ? ite
                            : new IfThenElse(condition, whenTrue, whenFalse);
                    }

                case Application application:
                    {
                        Variable function = (Variable)Visit(application.Function);
                        Term[] arguments = new Term[application.Arguments.Length];
                        bool same = Same(function, application.Function);
                        for (int i = 0; i < arguments.Length; i++)
                        {
                            arguments[i] = Visit(application.Arguments[i]);
                            same &= Same(arguments[i], application.Arguments[i]);
                        }

                        return same ? application : new Application(function, [.. arguments]);
                    }

                case UnaryMinus u:
                    {
                        Term operand = Visit(u.Operand);
                        return Same(operand, u.Operand) ? u : new UnaryMinus(operand);
                    }

                case IntToReal r:
                    {
                        Term operand = Visit(r.Operand);
                        return Same(operand, r.Operand) ? r : new IntToReal(operand);
                    }

                case RealToInt r:
                    {
                        Term operand = Visit(r.Operand);
                        return Same(operand, r.Operand) ? r : new RealToInt(operand);
                    }

                case LogicalNot n:
                    {
                        Term operand = Visit(n.Operand);
                        return Same(operand, n.Operand) ? n : new LogicalNot(operand);
                    }

                case ForAll q:
                    {
                        (Variable bound, Term body) = Binder(q.Bound, q.Body);
                        return Same(bound, q.Bound) && Same(body, q.Body) ? q : new ForAll(bound, body);
                    }

                case Exists q:
                    {
                        (Variable bound, Term body) = Binder(q.Bound, q.Body);
                        return Same(bound, q.Bound) && Same(body, q.Body) ? q : new Exists(bound, body);
                    }

                default:
                    throw new ArgumentException($"unsupported term: {term.GetType().Name}", nameof(term));
            }
        }

        private static bool Same(Term renamed, Term original) => ReferenceEquals(renamed, original);

        private (Variable Bound, Term Body) Binder(Variable bound, Term body)
        {
            bool shadows = renaming.ContainsKey(bound.Name);
            bool captures = targets.Contains(bound.Name);
            if (!shadows && !captures)
            {
                return (bound, Visit(body));
            }

            Dictionary<string, string> inner = new(renaming.Count + 1, StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> pair in renaming)
            {
                inner[pair.Key] = pair.Value;
            }

            inner.Remove(bound.Name);
            Variable renamedBound = bound;
            if (captures)
            {
                // The bound name is the new name of some free variable: rename the bound variable apart.
                HashSet<string> avoid = new(targets, StringComparer.Ordinal);
                CollectNames(body, avoid);
                foreach (string key in renaming.Keys)
                {
                    avoid.Add(key);
                }

                string fresh = bound.Name + "'";
                while (avoid.Contains(fresh))
                {
                    fresh += "'";
                }

                inner[bound.Name] = fresh;
                renamedBound = new Variable(fresh, bound.Sort);
            }

            HashSet<string> innerTargets = new(inner.Values, StringComparer.Ordinal);
            return (renamedBound, new Renamer(inner, innerTargets).Visit(body));
        }
    }
}
