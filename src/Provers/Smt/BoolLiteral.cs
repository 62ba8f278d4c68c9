namespace Planning.Provers.Smt;

/// <summary>The constant <c>true</c> or <c>false</c>.</summary>
internal sealed record BoolLiteral : Term
{
    /// <summary>The constant <c>true</c>.</summary>
    public static BoolLiteral True { get; } = new(true);

    /// <summary>The constant <c>false</c>.</summary>
    public static BoolLiteral False { get; } = new(false);

    /// <summary>Creates a boolean constant.</summary>
    /// <param name="value">The truth value.</param>
    public BoolLiteral(bool value)
    {
        Value = value;
    }

    /// <summary>The truth value.</summary>
    public bool Value { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.BoolSort;
}
