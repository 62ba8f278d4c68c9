namespace Planning.Provers.Smt;

/// <summary>
/// A variable: free in a query (the backends report its value in a model) or bound by <see cref="ForAll"/> or
/// <see cref="Exists"/>. A name has one sort within its scope.
/// </summary>
internal sealed record Variable : Term
{
    private readonly SmtSort _sort;

    /// <summary>Creates a variable.</summary>
    /// <param name="name">The name; not empty. Any characters are allowed (backends rename variables).</param>
    /// <param name="sort">The sort.</param>
    public Variable(string name, SmtSort sort)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!Enum.IsDefined(sort))
        {
            throw new ArgumentOutOfRangeException(nameof(sort), sort, "unknown sort");
        }

        Name = name;
        _sort = sort;
    }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override SmtSort Sort => _sort;
}
