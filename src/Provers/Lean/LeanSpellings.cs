using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Planning.Provers.Lean;

/// <summary>
/// Every fixed spelling the lexer knows: the symbols, and the words (keywords, <c>forall</c>, <c>exists</c>,
/// the number types) that would otherwise be identifiers.
/// </summary>
internal static class LeanSpellings
{
    /// <summary>The symbols and their kinds; several spellings may share a kind.</summary>
    public static ImmutableArray<(string Text, LeanTokenKind Kind)> Symbols { get; } =
    [
        ("(", LeanTokenKind.LeftParen), (")", LeanTokenKind.RightParen),
        ("[", LeanTokenKind.LeftBracket), ("]", LeanTokenKind.RightBracket),
        ("{", LeanTokenKind.LeftBrace), ("}", LeanTokenKind.RightBrace),
        ("⟨", LeanTokenKind.LeftAngle), ("⟩", LeanTokenKind.RightAngle),
        ("⌊", LeanTokenKind.LeftFloor), ("⌋", LeanTokenKind.RightFloor),
        ("⌈", LeanTokenKind.LeftCeil), ("⌉", LeanTokenKind.RightCeil),
        (",", LeanTokenKind.Comma), (":", LeanTokenKind.Colon), (":=", LeanTokenKind.ColonEquals),
        (".", LeanTokenKind.Dot), ("·", LeanTokenKind.CenterDot), ("•", LeanTokenKind.Smul),
        ("→", LeanTokenKind.Arrow), ("->", LeanTokenKind.Arrow),
        ("↔", LeanTokenKind.Iff), ("<->", LeanTokenKind.Iff),
        ("∧", LeanTokenKind.And), ("/\\", LeanTokenKind.And),
        ("∨", LeanTokenKind.Or), ("\\/", LeanTokenKind.Or),
        ("¬", LeanTokenKind.Not),
        ("=", LeanTokenKind.Equal),
        ("≠", LeanTokenKind.NotEqual), ("!=", LeanTokenKind.NotEqual),
        ("<", LeanTokenKind.Less), ("≤", LeanTokenKind.LessEqual), ("<=", LeanTokenKind.LessEqual),
        (">", LeanTokenKind.Greater), ("≥", LeanTokenKind.GreaterEqual), (">=", LeanTokenKind.GreaterEqual),
        ("≡", LeanTokenKind.Congruent),
        ("∀", LeanTokenKind.ForAll), ("∃", LeanTokenKind.Exists), ("∃!", LeanTokenKind.ExistsUnique),
        ("λ", LeanTokenKind.Fun),
        ("=>", LeanTokenKind.MapsTo), ("↦", LeanTokenKind.MapsTo),
        ("+", LeanTokenKind.Plus), ("-", LeanTokenKind.Minus), ("*", LeanTokenKind.Star),
        ("/", LeanTokenKind.Slash), ("/.", LeanTokenKind.RatSlash),
        ("%", LeanTokenKind.Percent), ("^", LeanTokenKind.Caret),
        ("⁻¹", LeanTokenKind.Inverse), ("⁻¹'", LeanTokenKind.Preimage), ("''", LeanTokenKind.Image),
        ("!", LeanTokenKind.Bang),
        ("∣", LeanTokenKind.Divides), ("|", LeanTokenKind.Bar), ("‖", LeanTokenKind.NormBar),
        ("↑", LeanTokenKind.Coercion), ("√", LeanTokenKind.Sqrt),
        ("∑", LeanTokenKind.BigSum), ("∏", LeanTokenKind.BigProduct),
        ("∈", LeanTokenKind.Member), ("∉", LeanTokenKind.NotMember),
        ("⊂", LeanTokenKind.Subset), ("⊆", LeanTokenKind.SubsetEqual),
        ("∩", LeanTokenKind.Intersection), ("∪", LeanTokenKind.Union),
        ("\\", LeanTokenKind.SetMinus),
    ];

    /// <summary>
    /// Words that lex as something other than <see cref="LeanTokenKind.Identifier"/>. Only a whole,
    /// undotted name matches: <c>Real</c> is <see cref="LeanTokenKind.RealType"/>, <c>Real.sqrt</c> an identifier.
    /// </summary>
    public static FrozenDictionary<string, LeanTokenKind> Words { get; } = new Dictionary<string, LeanTokenKind>(StringComparer.Ordinal)
    {
        ["theorem"] = LeanTokenKind.Theorem,
        ["lemma"] = LeanTokenKind.Lemma,
        ["fun"] = LeanTokenKind.Fun,
        ["by"] = LeanTokenKind.By,
        ["let"] = LeanTokenKind.Let,
        ["have"] = LeanTokenKind.Have,
        ["show"] = LeanTokenKind.Show,
        ["from"] = LeanTokenKind.From,
        ["in"] = LeanTokenKind.In,
        ["forall"] = LeanTokenKind.ForAll,
        ["exists"] = LeanTokenKind.Exists,
        ["_"] = LeanTokenKind.Hole,
        ["ℕ"] = LeanTokenKind.NatType,
        ["Nat"] = LeanTokenKind.NatType,
        ["ℤ"] = LeanTokenKind.IntType,
        ["Int"] = LeanTokenKind.IntType,
        ["ℚ"] = LeanTokenKind.RatType,
        ["Rat"] = LeanTokenKind.RatType,
        ["ℝ"] = LeanTokenKind.RealType,
        ["Real"] = LeanTokenKind.RealType,
        ["ℂ"] = LeanTokenKind.ComplexType,
        ["Complex"] = LeanTokenKind.ComplexType,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The symbols grouped by their first UTF-16 code unit, longest first, so that the first match is the
    /// longest (<c>&lt;-&gt;</c> before <c>&lt;=</c> before <c>&lt;</c>).
    /// </summary>
    public static FrozenDictionary<char, ImmutableArray<(string Text, LeanTokenKind Kind)>> SymbolsByFirstChar { get; } =
        Symbols
            .GroupBy(static symbol => symbol.Text[0])
            .ToFrozenDictionary(
                static group => group.Key,
                static group => group.OrderByDescending(static symbol => symbol.Text.Length).ToImmutableArray());
}
