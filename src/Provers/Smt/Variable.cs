using System.Collections.Immutable;

namespace Planning.Provers.Smt;

/// <summary>
/// A variable: free in a query (the backends report its value in a model) or bound by <see cref="ForAll"/> or
/// <see cref="Exists"/>. A name has one sort within its scope. A variable with a non-empty <see cref="Domain"/> is an
/// uninterpreted function symbol (SMT-LIB's <c>declare-fun</c>): it is only used as the head of an
/// <see cref="Application"/>, is always free, and has no value in a model.
/// </summary>
internal sealed record Variable : Term
{
    private readonly SmtSort _sort;

    /// <summary>Creates a constant (a variable of a plain sort).</summary>
    /// <param name="name">The name; not empty. Any characters are allowed (backends rename variables).</param>
    /// <param name="sort">The sort.</param>
    public Variable(string name, SmtSort sort)
        : this(name, sort, [])
    {
    }

    /// <summary>Creates a function symbol with the argument sorts <paramref name="domain"/> (a constant when empty).</summary>
    /// <param name="name">The name; not empty.</param>
    /// <param name="sort">The result sort.</param>
    /// <param name="domain">The argument sorts, none of them Bool.</param>
    public Variable(string name, SmtSort sort, ImmutableArray<SmtSort> domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!Enum.IsDefined(sort))
        {
            throw new ArgumentOutOfRangeException(nameof(sort), sort, "unknown sort");
        }

        domain = domain.IsDefault ? [] : domain;
        foreach (SmtSort argument in domain)
        {
            if (!Enum.IsDefined(argument) || argument == SmtSort.BoolSort)
            {
                throw new ArgumentOutOfRangeException(nameof(domain), argument, "a function's arguments are Int or Real");
            }
        }

        Name = name;
        _sort = sort;
        Domain = domain;
    }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>The argument sorts of a function symbol; empty for a constant.</summary>
    public ImmutableArray<SmtSort> Domain { get; }

    /// <summary>Whether this is a function symbol (it has arguments).</summary>
    public bool IsFunction => Domain.Length > 0;

    /// <inheritdoc />
    public override SmtSort Sort => _sort;

    /// <summary>The same variable (sort and domain) under another name.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>The renamed variable.</returns>
    public Variable WithName(string name) => new(name, _sort, Domain);

    /// <summary>Whether the other variable has the same name, sort and domain.</summary>
    /// <param name="other">The other variable.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(Variable? other)
    {
        return other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && _sort == other._sort
            && Domain.SequenceEqual(other.Domain);
    }

    /// <summary>A hash consistent with <see cref="Equals(Variable)"/>.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode() => HashCode.Combine(Name, _sort, Domain.Length);

    /// <summary>The signature for messages: <c>Int</c>, or <c>(Int Real) -> Real</c> for a function.</summary>
    internal string Signature => IsFunction
        ? "(" + string.Join(' ', Domain.Select(Describe)) + ") -> " + Describe(_sort)
        : Describe(_sort);
}
