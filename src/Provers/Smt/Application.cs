using System.Collections.Immutable;

namespace Planning.Provers.Smt;

/// <summary>
/// An uninterpreted function applied to arguments, <c>(f a b)</c>: <see cref="Function"/> is a free function symbol (a
/// <see cref="Variable"/> with a domain), the arguments match its domain, and the result has its sort. A query holds for
/// the symbol when it holds for every interpretation of it (SMT-LIB's <c>declare-fun</c>).
/// </summary>
internal sealed record Application : Term
{
    /// <summary>Creates <c>(<paramref name="function"/> <paramref name="arguments"/>…)</c>.</summary>
    /// <param name="function">A function symbol.</param>
    /// <param name="arguments">One term per argument sort of the symbol, of that sort.</param>
    /// <exception cref="ArgumentException">The symbol is a constant, or the arguments do not match its domain.</exception>
    public Application(Variable function, ImmutableArray<Term> arguments)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!function.IsFunction)
        {
            throw new ArgumentException($"'{function.Name}' is not a function symbol", nameof(function));
        }

        arguments = arguments.IsDefault ? [] : arguments;
        if (arguments.Length != function.Domain.Length)
        {
            throw new ArgumentException($"'{function.Name}' takes {function.Domain.Length} argument(s), got {arguments.Length}", nameof(arguments));
        }

        for (int i = 0; i < arguments.Length; i++)
        {
            RequireSort(arguments[i], function.Domain[i], nameof(arguments));
        }

        Function = function;
        Arguments = arguments;
    }

    /// <summary>The function symbol.</summary>
    public Variable Function { get; }

    /// <summary>The arguments, in order.</summary>
    public ImmutableArray<Term> Arguments { get; }

    /// <inheritdoc />
    public override SmtSort Sort => Function.Sort;

    /// <summary>Structural equality: the same symbol and equal arguments in order.</summary>
    /// <param name="other">The other application.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(Application? other) =>
        other is not null && Function.Equals(other.Function) && Arguments.SequenceEqual(other.Arguments);

    /// <summary>A hash consistent with <see cref="Equals(Application)"/>.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode()
    {
        HashCode hash = default;
        hash.Add(Function);
        foreach (Term argument in Arguments)
        {
            hash.Add(argument);
        }

        return hash.ToHashCode();
    }
}
