namespace Planning.Provers.Lean;

/// <summary>
/// One token of a Lean 4 statement.
/// </summary>
/// <param name="Kind">
/// What the token is. Unicode and ASCII spellings of one operator share a kind
/// (<c>→</c> and <c>-&gt;</c> are both <see cref="LeanTokenKind.Arrow"/>).
/// </param>
/// <param name="Text">The token exactly as written in the source, for example <c>-&gt;</c> or <c>h₀</c>.</param>
/// <param name="Position">Where the token's first character is.</param>
internal readonly record struct LeanToken(LeanTokenKind Kind, string Text, SourcePosition Position);
