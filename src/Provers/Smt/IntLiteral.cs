using System.Numerics;

namespace Planning.Provers.Smt;

/// <summary>An integer constant (any size).</summary>
internal sealed record IntLiteral : Term
{
    /// <summary>Creates an integer constant.</summary>
    /// <param name="value">The value.</param>
    public IntLiteral(BigInteger value)
    {
        Value = value;
    }

    /// <summary>The value.</summary>
    public BigInteger Value { get; }

    /// <inheritdoc />
    public override SmtSort Sort => SmtSort.IntSort;
}
