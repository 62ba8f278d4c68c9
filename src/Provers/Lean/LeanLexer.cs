using System.Collections.Immutable;

namespace Planning.Provers.Lean;

/// <summary>
/// Splits a Lean 4 theorem statement (miniF2F style) into tokens.
/// </summary>
/// <remarks>
/// <para>
/// Whitespace (space, tab, line breaks), line comments <c>-- …</c> and block comments <c>/- … -/</c>
/// (nested, and doc comments <c>/-- … -/</c>) are skipped. Unicode and ASCII spellings of one operator give
/// the same <see cref="LeanTokenKind"/>; see that enum for the spellings.
/// </para>
/// <para>
/// Identifiers follow Lean's own rules: they start with an ASCII letter, <c>_</c> or a Lean letter-like
/// character (Greek, <c>ℕ ℝ</c>, <c>𝓝</c>, Latin-1 letters) and continue with those, digits, subscripts
/// (<c>h₀</c>), <c>'</c>, <c>!</c> and <c>?</c>. A dot followed by an identifier start continues a dotted name
/// (<c>Real.sqrt</c>); any other dot is a <see cref="LeanTokenKind.Dot"/>. Symbols are matched longest
/// first (<c>⁻¹'</c> before <c>⁻¹</c>, <c>∃!</c> before <c>∃</c>).
/// </para>
/// </remarks>
internal static class LeanLexer
{
    /// <summary>
    /// Tokenizes <paramref name="source"/>.
    /// </summary>
    /// <param name="source">Lean 4 text, typically one <c>theorem</c> statement with or without its proof.</param>
    /// <returns>The tokens in source order, with no end-of-input marker; empty when the text has only whitespace and comments.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="LeanSyntaxException">
    /// The text has a character no token starts with, or a block comment that is never closed; the
    /// exception's position is that character or the comment's opening <c>/-</c>.
    /// </exception>
    public static ImmutableArray<LeanToken> Tokenize(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new LeanScanner(source).ScanAll();
    }
}
