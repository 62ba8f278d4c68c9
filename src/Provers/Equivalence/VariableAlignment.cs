using System.Collections.Immutable;
using System.Text;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Which variables of a second statement stand for which variables of a first one (see <see cref="VariableAligner.Align"/>):
/// pairs of variables of the same type, each variable in at most one pair, and the variables left unaligned on each side.
/// </summary>
public sealed class VariableAlignment
{
    private readonly Dictionary<string, AlignedVariable> _bySecond;

    /// <summary>Creates an alignment.</summary>
    /// <param name="pairs">The aligned pairs; no name may appear twice on either side.</param>
    /// <param name="unalignedFirst">The first statement's variables in no pair, in declaration order.</param>
    /// <param name="unalignedSecond">The second statement's variables in no pair, in declaration order.</param>
    /// <exception cref="ArgumentException">A name appears in two pairs.</exception>
    internal VariableAlignment(ImmutableArray<AlignedVariable> pairs, ImmutableArray<string> unalignedFirst, ImmutableArray<string> unalignedSecond)
    {
        Pairs = pairs.IsDefault ? [] : pairs;
        UnalignedFirst = unalignedFirst.IsDefault ? [] : unalignedFirst;
        UnalignedSecond = unalignedSecond.IsDefault ? [] : unalignedSecond;
        _bySecond = new Dictionary<string, AlignedVariable>(Pairs.Length, StringComparer.Ordinal);
        HashSet<string> firsts = new(StringComparer.Ordinal);
        Dictionary<string, string> map = new(Pairs.Length, StringComparer.Ordinal);
        foreach (AlignedVariable pair in Pairs)
        {
            ArgumentNullException.ThrowIfNull(pair, nameof(pairs));
            if (!_bySecond.TryAdd(pair.Second, pair) || !firsts.Add(pair.First))
            {
                throw new ArgumentException($"variable aligned twice: {pair.Second} -> {pair.First}", nameof(pairs));
            }

            map.Add(pair.Second, pair.First);
        }

        SecondToFirst = map;
    }

    /// <summary>The aligned pairs, in the order they were matched (by name, then by conclusion position, then by assignment).</summary>
    public ImmutableArray<AlignedVariable> Pairs { get; }

    /// <summary>Second-statement variable name to the name of the first-statement variable it is aligned with.</summary>
    public IReadOnlyDictionary<string, string> SecondToFirst { get; }

    /// <summary>The first statement's variables in no pair, in declaration order.</summary>
    public ImmutableArray<string> UnalignedFirst { get; }

    /// <summary>The second statement's variables in no pair, in declaration order.</summary>
    public ImmutableArray<string> UnalignedSecond { get; }

    /// <summary>How a second-statement variable was aligned, or <see langword="null"/> when it was not.</summary>
    /// <param name="second">The variable's name in the second statement.</param>
    /// <returns>The method, or <see langword="null"/>.</returns>
    public AlignmentMethod? MethodOf(string second)
    {
        ArgumentNullException.ThrowIfNull(second);
        return _bySecond.TryGetValue(second, out AlignedVariable? pair) ? pair.Method : null;
    }

    /// <summary>The pairs as <c>second → first (method)</c>, then the unaligned variables.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        StringBuilder text = new();
        foreach (AlignedVariable pair in Pairs)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(pair.Second).Append(" → ").Append(pair.First).Append(" (").Append(pair.Method).Append(')');
        }

        if (UnalignedFirst.Length > 0)
        {
            text.Append(text.Length > 0 ? "; " : string.Empty).Append("unaligned in the first: ").AppendJoin(' ', UnalignedFirst);
        }

        if (UnalignedSecond.Length > 0)
        {
            text.Append(text.Length > 0 ? "; " : string.Empty).Append("unaligned in the second: ").AppendJoin(' ', UnalignedSecond);
        }

        return text.ToString();
    }
}
