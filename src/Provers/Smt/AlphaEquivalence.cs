namespace Planning.Provers.Smt;

/// <summary>
/// Whether two terms are the same up to a renaming of their free variables and a consistent renaming of their bound
/// ones: <c>∃ k!3. a = 7·k!3</c> and <c>∃ k!9. b = 7·k!9</c> under <c>b ↦ a</c>. Translations number their fresh and
/// bound variables in the order they meet them, so the same statement with its hypotheses in another order numbers
/// them differently; this comparison sees through that.
/// </summary>
internal static class AlphaEquivalence
{
    /// <summary>Whether <paramref name="second"/> is <paramref name="first"/> with its variables renamed.</summary>
    /// <param name="first">The first term.</param>
    /// <param name="second">The second term.</param>
    /// <param name="freeRenaming">
    /// The second term's free variables to the first's names; a free variable absent from it must have the same name in
    /// both. The caller keeps it one-to-one.
    /// </param>
    /// <returns>Whether the terms are alpha-equivalent under the renaming.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static bool Equivalent(Term first, Term second, IReadOnlyDictionary<string, string> freeRenaming)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(freeRenaming);
        return new Comparer(freeRenaming).Same(first, second);
    }

    private sealed class Comparer(IReadOnlyDictionary<string, string> freeRenaming)
    {
        // Bound variables in scope: second's name to first's, and first's to second's (so a bound variable is never
        // matched with a free one of the same name).
        private readonly Dictionary<string, string> _boundSecond = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _boundFirst = new(StringComparer.Ordinal);

        public bool Same(Term first, Term second)
        {
            if (first.GetType() != second.GetType() || first.Sort != second.Sort)
            {
                return false;
            }

            switch (first)
            {
                case Variable a:
                    return a.Domain.SequenceEqual(((Variable)second).Domain) && SameVariable(a, (Variable)second);
                case BoolLiteral or IntLiteral or RealLiteral:
                    return first == second;
                case ForAll a:
                    return SameBinder(a.Bound, a.Body, ((ForAll)second).Bound, ((ForAll)second).Body);
                case Exists a:
                    return SameBinder(a.Bound, a.Body, ((Exists)second).Bound, ((Exists)second).Body);
                case Arithmetic a when a.Operator != ((Arithmetic)second).Operator:
                    return false;
                case Comparison a when a.Operator != ((Comparison)second).Operator:
                    return false;
                default:
                    break;
            }

            Stack<Term> firstOperands = new();
            Stack<Term> secondOperands = new();
            if (!Terms.PushOperands(firstOperands, first) || !Terms.PushOperands(secondOperands, second) || firstOperands.Count != secondOperands.Count)
            {
                return false;
            }

            while (firstOperands.Count > 0)
            {
                if (!Same(firstOperands.Pop(), secondOperands.Pop()))
                {
                    return false;
                }
            }

            return true;
        }

        private bool SameVariable(Variable first, Variable second)
        {
            if (_boundSecond.TryGetValue(second.Name, out string? bound))
            {
                return string.Equals(bound, first.Name, StringComparison.Ordinal);
            }

            string renamed = freeRenaming.TryGetValue(second.Name, out string? target)
                ? target
                : second.IsFunction ? Terms.RenameEmbedded(second.Name, inner => freeRenaming.GetValueOrDefault(inner, inner)) : second.Name;
            return !_boundFirst.ContainsKey(first.Name) && string.Equals(renamed, first.Name, StringComparison.Ordinal);
        }

        private bool SameBinder(Variable firstBound, Term firstBody, Variable secondBound, Term secondBody)
        {
            if (firstBound.Sort != secondBound.Sort)
            {
                return false;
            }

            bool hadSecond = _boundSecond.Remove(secondBound.Name, out string? outerSecond);
            bool hadFirst = _boundFirst.Remove(firstBound.Name, out string? outerFirst);
            _boundSecond[secondBound.Name] = firstBound.Name;
            _boundFirst[firstBound.Name] = secondBound.Name;
            bool same = Same(firstBody, secondBody);
            _boundSecond.Remove(secondBound.Name);
            _boundFirst.Remove(firstBound.Name);
            if (hadSecond)
            {
                _boundSecond[secondBound.Name] = outerSecond!;
            }

            if (hadFirst)
            {
                _boundFirst[firstBound.Name] = outerFirst!;
            }

            return same;
        }
    }
}
