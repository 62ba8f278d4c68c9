namespace Planning.Provers.Lean;

/// <summary>
/// Thrown when Lean source text cannot be read, for example because it contains a character that
/// no token starts with. The message names the line and column:
/// <c>line 3, column 7: unexpected character '§' (U+00A7)</c>.
/// </summary>
public sealed class LeanSyntaxException : Exception
{
    /// <summary>Creates the exception for a problem found at <paramref name="position"/>.</summary>
    /// <param name="position">Where in the source the problem is.</param>
    /// <param name="reason">What is wrong, without the position, for example <c>unexpected character '§' (U+00A7)</c>.</param>
    public LeanSyntaxException(SourcePosition position, string reason)
        : base($"{position}: {reason}")
    {
        Position = position;
        Reason = reason;
    }

    /// <summary>Where in the source the problem is.</summary>
    public SourcePosition Position { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }
}
