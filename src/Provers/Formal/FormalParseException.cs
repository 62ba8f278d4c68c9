using Planning.Provers.Lean;

namespace Planning.Provers.Formal;

/// <summary>Why a statement could not be turned into a <see cref="FormalStatement"/>.</summary>
public enum FormalParseErrorKind
{
    /// <summary>The text is not well-formed Lean 4 (an unexpected token, an unclosed bracket, an unknown character).</summary>
    Syntax,

    /// <summary>The text parses but does not type-check as Lean would elaborate it (for example <c>(x : ℕ)</c> with <c>x : ℝ</c>).</summary>
    Type,

    /// <summary>The text uses a construct outside the supported subset; <see cref="FormalParseException.Construct"/> names it.</summary>
    Unsupported,
}

/// <summary>
/// Thrown by <see cref="LeanStatementParser.Parse"/> when a statement cannot be parsed. The message starts with the
/// line and column of the offending token: <c>line 1, column 30: expected ')' but found ':='</c>, or for a
/// construct outside the subset <c>line 1, column 22: unsupported: Finset.filter</c>.
/// </summary>
public sealed class FormalParseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">Why the statement was rejected.</param>
    /// <param name="position">Where the problem is.</param>
    /// <param name="reason">What is wrong, without the position.</param>
    /// <param name="construct">For <see cref="FormalParseErrorKind.Unsupported"/>, the construct's name.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public FormalParseException(FormalParseErrorKind kind, SourcePosition position, string reason, string? construct = null, Exception? innerException = null)
        : base($"{position}: {reason}", innerException)
    {
        Kind = kind;
        Position = position;
        Reason = reason;
        Construct = construct;
    }

    /// <summary>Why the statement was rejected.</summary>
    public FormalParseErrorKind Kind { get; }

    /// <summary>Where the problem is (1-based line and column).</summary>
    public SourcePosition Position { get; }

    /// <summary>The 1-based line of the problem.</summary>
    public int Line => Position.Line;

    /// <summary>The 1-based column of the problem, in Unicode characters.</summary>
    public int Column => Position.Column;

    /// <summary>What is wrong, without the position; <c>unsupported: NAME</c> for constructs outside the subset.</summary>
    public string Reason { get; }

    /// <summary>
    /// For <see cref="FormalParseErrorKind.Unsupported"/>, the construct outside the subset, such as
    /// <c>Finset.filter</c>, <c>fun</c> or <c>ZMod</c>; otherwise <see langword="null"/>.
    /// </summary>
    public string? Construct { get; }

    /// <summary>Whether the statement was rejected for using a construct outside the subset.</summary>
    public bool IsUnsupported => Kind == FormalParseErrorKind.Unsupported;

    internal static FormalParseException Unsupported(SourcePosition position, string construct)
    {
        return new FormalParseException(FormalParseErrorKind.Unsupported, position, "unsupported: " + construct, construct);
    }

    internal static FormalParseException Syntax(SourcePosition position, string reason)
    {
        return new FormalParseException(FormalParseErrorKind.Syntax, position, reason);
    }

    internal static FormalParseException TypeError(SourcePosition position, string reason)
    {
        return new FormalParseException(FormalParseErrorKind.Type, position, "type error: " + reason);
    }
}
