namespace Planning.Provers.Lean;

/// <summary>
/// Thrown when Lean source text cannot be read, for example because it contains a character that
/// no token starts with. The message names the line and column:
/// <c>line 3, column 7: unexpected character '§' (U+00A7)</c>.
/// </summary>
/// <param name="position">Where in the source the problem is.</param>
/// <param name="reason">What is wrong, without the position, for example <c>unexpected character '§' (U+00A7)</c>.</param>
internal sealed class LeanSyntaxException(SourcePosition position, string reason)
    : Exception($"{position}: {reason}")
{
    /// <summary>Where in the source the problem is.</summary>
    public SourcePosition Position { get; } = position;

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = reason;
}
