namespace Planning.Provers.Smt;

/// <summary>Builders over lists of terms, and the free variables of a query.</summary>
internal static class Terms
{
    /// <summary>The conjunction of the formulas: <c>true</c> when there are none, the formula itself when one.</summary>
    /// <param name="formulas">Formulas (Bool terms).</param>
    /// <returns>A right-nested chain of <see cref="Conjunction"/>.</returns>
    public static Term All(IEnumerable<Term> formulas) => Chain(formulas, BoolLiteral.True, static (l, r) => new Conjunction(l, r));

    /// <summary>The disjunction of the formulas: <c>false</c> when there are none, the formula itself when one.</summary>
    /// <param name="formulas">Formulas (Bool terms).</param>
    /// <returns>A right-nested chain of <see cref="Disjunction"/>.</returns>
    public static Term Any(IEnumerable<Term> formulas) => Chain(formulas, BoolLiteral.False, static (l, r) => new Disjunction(l, r));

    /// <summary>Binds the variables universally, the first outermost; the body itself when there are none.</summary>
    /// <param name="bound">The variables to bind.</param>
    /// <param name="body">A formula.</param>
    /// <returns>Nested <see cref="ForAll"/> terms.</returns>
    public static Term ForAll(IEnumerable<Variable> bound, Term body) => Bind(bound, body, static (v, b) => new ForAll(v, b));

    /// <summary>Binds the variables existentially, the first outermost; the body itself when there are none.</summary>
    /// <param name="bound">The variables to bind.</param>
    /// <param name="body">A formula.</param>
    /// <returns>Nested <see cref="Exists"/> terms.</returns>
    public static Term Exists(IEnumerable<Variable> bound, Term body) => Bind(bound, body, static (v, b) => new Exists(v, b));

    /// <summary>
    /// The free variables of the terms, each once, in order of first occurrence (function symbols included); checks that
    /// each name has one sort in its scope (free variables across all the terms, bound ones inside their binder).
    /// </summary>
    /// <param name="terms">The terms of one query.</param>
    /// <returns>The free variables.</returns>
    /// <exception cref="ArgumentException">A name is used with two sorts.</exception>
    public static IReadOnlyList<Variable> FreeVariables(IEnumerable<Term> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var free = new List<Variable>();
        var freeSorts = new Dictionary<string, Variable>(StringComparer.Ordinal);
        var bound = new Dictionary<string, List<SmtSort>>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(terms));
            Visit(term, free, freeSorts, bound);
        }

        return free;
    }

    private static void Visit(Term term, List<Variable> free, Dictionary<string, Variable> freeSorts, Dictionary<string, List<SmtSort>> bound)
    {
        // Iterative over the binary spine (long conjunctions), recursive elsewhere.
        var pending = new Stack<Term>();
        pending.Push(term);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case Variable v:
                    if (bound.TryGetValue(v.Name, out var scopes) && scopes.Count > 0)
                    {
                        if (scopes[^1] != v.Sort || v.IsFunction)
                        {
                            throw new ArgumentException(
                                $"variable '{v.Name}' is bound as {Term.Describe(scopes[^1])} but used as {Term.Describe(v.Sort)}", nameof(term));
                        }
                    }
                    else if (freeSorts.TryGetValue(v.Name, out var first))
                    {
                        if (!first.Equals(v))
                        {
                            throw new ArgumentException(
                                $"variable '{v.Name}' is used both as {first.Signature} and as {v.Signature}", nameof(term));
                        }
                    }
                    else
                    {
                        freeSorts.Add(v.Name, v);
                        free.Add(v);
                    }

                    break;
                case BoolLiteral or IntLiteral or RealLiteral:
                    break;
                case ForAll q:
                    VisitBinder(q.Bound, q.Body, free, freeSorts, bound);
                    break;
                case Exists q:
                    VisitBinder(q.Bound, q.Body, free, freeSorts, bound);
                    break;
                case var composite when PushOperands(pending, composite):
                    break;
                default:
                    throw new ArgumentException($"unsupported term: {term.GetType().Name}", nameof(term));
            }
        }
    }

    /// <summary>
    /// Pushes the operands of an operator term (everything but variables, literals and binders) so that they pop left to
    /// right; the one place that knows each operator's operands, for the iterative walks over terms.
    /// </summary>
    /// <param name="pending">The walk's stack.</param>
    /// <param name="term">The term.</param>
    /// <returns>Whether <paramref name="term"/> is an operator term (and its operands were pushed).</returns>
    internal static bool PushOperands(Stack<Term> pending, Term term)
    {
        switch (term)
        {
            case Arithmetic a:
                pending.Push(a.Right);
                pending.Push(a.Left);
                return true;
            case Comparison c:
                pending.Push(c.Right);
                pending.Push(c.Left);
                return true;
            case Conjunction c:
                pending.Push(c.Right);
                pending.Push(c.Left);
                return true;
            case Disjunction d:
                pending.Push(d.Right);
                pending.Push(d.Left);
                return true;
            case Implication i:
                pending.Push(i.Conclusion);
                pending.Push(i.Premise);
                return true;
            case Biconditional b:
                pending.Push(b.Right);
                pending.Push(b.Left);
                return true;
            case IfThenElse ite:
                pending.Push(ite.WhenFalse);
                pending.Push(ite.WhenTrue);
                pending.Push(ite.Condition);
                return true;
            case UnaryMinus u:
                pending.Push(u.Operand);
                return true;
            case Application application:
                for (var i = application.Arguments.Length - 1; i >= 0; i--)
                {
                    pending.Push(application.Arguments[i]);
                }

                pending.Push(application.Function);
                return true;
            case IntToReal r:
                pending.Push(r.Operand);
                return true;
            case RealToInt r:
                pending.Push(r.Operand);
                return true;
            case LogicalNot n:
                pending.Push(n.Operand);
                return true;
            default:
                return false;
        }
    }

    private static void VisitBinder(Variable variable, Term body, List<Variable> free, Dictionary<string, Variable> freeSorts, Dictionary<string, List<SmtSort>> bound)
    {
        if (!bound.TryGetValue(variable.Name, out var scopes))
        {
            scopes = [];
            bound.Add(variable.Name, scopes);
        }

        scopes.Add(variable.Sort);
        Visit(body, free, freeSorts, bound);
        scopes.RemoveAt(scopes.Count - 1);
    }

    private static Term Chain(IEnumerable<Term> formulas, Term empty, Func<Term, Term, Term> combine)
    {
        ArgumentNullException.ThrowIfNull(formulas);
        var list = formulas.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null || list[i].Sort != SmtSort.BoolSort)
            {
                throw new ArgumentException($"item {i} is not a formula: {list[i]?.ToString() ?? "null"}", nameof(formulas));
            }
        }

        if (list.Count == 0)
        {
            return empty;
        }

        var result = list[^1];
        for (var i = list.Count - 2; i >= 0; i--)
        {
            result = combine(list[i], result);
        }

        return result;
    }

    private static Term Bind(IEnumerable<Variable> bound, Term body, Func<Variable, Term, Term> binder)
    {
        ArgumentNullException.ThrowIfNull(bound);
        ArgumentNullException.ThrowIfNull(body);
        var list = bound.ToList();
        var result = body;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            result = binder(list[i], result);
        }

        return result;
    }

    /// <summary>
    /// The form in which a function symbol's name is embedded in the name of a symbol defined from it (a sum over a
    /// function's values, <c>sum@… (⟨f⟩ #j)</c>): renaming <c>f</c> renames the embedding (<see cref="RenameEmbedded"/>).
    /// </summary>
    /// <param name="name">The function symbol's name.</param>
    /// <returns><c>⟨name⟩</c>.</returns>
    internal static string EmbeddedName(string name) => "⟨" + name + "⟩";

    /// <summary>
    /// A symbol's name with every embedded function name (<see cref="EmbeddedName"/>) mapped; the name itself when it
    /// embeds none. Embedded names contain no <c>⟩</c> (Lean identifiers cannot).
    /// </summary>
    /// <param name="name">The symbol's name.</param>
    /// <param name="map">The new name of a function symbol.</param>
    /// <returns>The renamed name.</returns>
    internal static string RenameEmbedded(string name, Func<string, string> map)
    {
        if (!name.Contains('⟨', StringComparison.Ordinal))
        {
            return name;
        }

        var result = new System.Text.StringBuilder(name.Length);
        var position = 0;
        while (position < name.Length)
        {
            var open = name.IndexOf('⟨', position);
            var close = open < 0 ? -1 : name.IndexOf('⟩', open);
            if (close < 0)
            {
                result.Append(name, position, name.Length - position);
                break;
            }

            result.Append(name, position, open - position).Append('⟨').Append(map(name[(open + 1)..close])).Append('⟩');
            position = close + 1;
        }

        return result.ToString();
    }

    /// <summary>
    /// A run of nested quantifiers of one kind (<c>forall x. forall y. body</c>) as one block: whether it is universal,
    /// the bound variables outermost first, and the body under them. Both backends print such a run as one binder list.
    /// </summary>
    /// <param name="quantifier">A <see cref="ForAll"/> or <see cref="Exists"/>.</param>
    /// <returns>The kind, the bound variables and the body.</returns>
    internal static (bool IsForAll, List<Variable> Bound, Term Body) QuantifierBlock(Term quantifier)
    {
        var isForAll = quantifier is ForAll;
        var bound = new List<Variable>();
        var body = quantifier;
        while (true)
        {
            switch (body)
            {
                case ForAll f when isForAll:
                    bound.Add(f.Bound);
                    body = f.Body;
                    continue;
                case Exists e when !isForAll:
                    bound.Add(e.Bound);
                    body = e.Body;
                    continue;
                default:
                    return (isForAll, bound, body);
            }
        }
    }
}
