using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Planning.Provers.Lean;

using Xunit.Abstractions;

using static Planning.Provers.Lean.LeanTokenKind;

namespace Planning.Provers.Tests.Lean;

public sealed class LeanLexerTests(ITestOutputHelper output)
{
    private static (LeanTokenKind Kind, string Text)[] Lex(string source)
    {
        return [.. LeanLexer.Tokenize(source).Select(static token => (token.Kind, token.Text))];
    }

    private static LeanTokenKind[] Kinds(string source)
    {
        return [.. LeanLexer.Tokenize(source).Select(static token => token.Kind)];
    }

    // ---- Real miniF2F statements, token by token ----

    [Fact]
    public void Tokenize_MathdAlgebra24_GivesExactTokens()
    {
        const string source = "theorem mathd_algebra_24 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by\n";

        (LeanTokenKind, string)[] expected =
        [
            (Theorem, "theorem"), (Identifier, "mathd_algebra_24"),
            (LeftParen, "("), (Identifier, "x"), (Colon, ":"), (RealType, "ℝ"), (RightParen, ")"),
            (LeftParen, "("), (Identifier, "h₀"), (Colon, ":"), (Identifier, "x"), (Slash, "/"), (NatLiteral, "50"),
            (Equal, "="), (NatLiteral, "40"), (RightParen, ")"),
            (Colon, ":"), (Identifier, "x"), (Equal, "="), (NatLiteral, "2000"), (ColonEquals, ":="), (By, "by"),
        ];
        Assert.Equal(expected, Lex(source));
    }

    [Fact]
    public void Tokenize_Amc12a2002P1_GivesExactTokensIncludingPreimageAndProjection()
    {
        const string source =
            "theorem amc12a_2002_p1 (f : ℂ → ℂ) (h₀ : ∀ x, f x = (2 * x + 3) * (x - 4) + (2 * x + 3) * (x - 6))\n" +
            "  (h₁ : Fintype (f ⁻¹' {0})) : (∑ y in (f ⁻¹' {0}).toFinset, y) = 7 / 2 := by\n";

        (LeanTokenKind, string)[] expected =
        [
            (Theorem, "theorem"), (Identifier, "amc12a_2002_p1"),
            (LeftParen, "("), (Identifier, "f"), (Colon, ":"), (ComplexType, "ℂ"), (Arrow, "→"), (ComplexType, "ℂ"), (RightParen, ")"),
            (LeftParen, "("), (Identifier, "h₀"), (Colon, ":"), (ForAll, "∀"), (Identifier, "x"), (Comma, ","),
            (Identifier, "f"), (Identifier, "x"), (Equal, "="),
            (LeftParen, "("), (NatLiteral, "2"), (Star, "*"), (Identifier, "x"), (Plus, "+"), (NatLiteral, "3"), (RightParen, ")"),
            (Star, "*"), (LeftParen, "("), (Identifier, "x"), (Minus, "-"), (NatLiteral, "4"), (RightParen, ")"), (Plus, "+"),
            (LeftParen, "("), (NatLiteral, "2"), (Star, "*"), (Identifier, "x"), (Plus, "+"), (NatLiteral, "3"), (RightParen, ")"),
            (Star, "*"), (LeftParen, "("), (Identifier, "x"), (Minus, "-"), (NatLiteral, "6"), (RightParen, ")"), (RightParen, ")"),
            (LeftParen, "("), (Identifier, "h₁"), (Colon, ":"), (Identifier, "Fintype"),
            (LeftParen, "("), (Identifier, "f"), (Preimage, "⁻¹'"), (LeftBrace, "{"), (NatLiteral, "0"), (RightBrace, "}"),
            (RightParen, ")"), (RightParen, ")"),
            (Colon, ":"), (LeftParen, "("), (BigSum, "∑"), (Identifier, "y"), (In, "in"),
            (LeftParen, "("), (Identifier, "f"), (Preimage, "⁻¹'"), (LeftBrace, "{"), (NatLiteral, "0"), (RightBrace, "}"),
            (RightParen, ")"), (Dot, "."), (Identifier, "toFinset"), (Comma, ","), (Identifier, "y"), (RightParen, ")"),
            (Equal, "="), (NatLiteral, "7"), (Slash, "/"), (NatLiteral, "2"), (ColonEquals, ":="), (By, "by"),
        ];
        Assert.Equal(expected, Lex(source));
    }

    [Fact]
    public void Tokenize_MathdNumbertheory43_DistinguishesDividesFromBarAndLexesFactorial()
    {
        const string source = "theorem mathd_numbertheory_43 : IsGreatest { n : ℕ | 15 ^ n ∣ 942! } 233 := by\n";

        (LeanTokenKind, string)[] expected =
        [
            (Theorem, "theorem"), (Identifier, "mathd_numbertheory_43"), (Colon, ":"), (Identifier, "IsGreatest"),
            (LeftBrace, "{"), (Identifier, "n"), (Colon, ":"), (NatType, "ℕ"), (Bar, "|"),
            (NatLiteral, "15"), (Caret, "^"), (Identifier, "n"), (Divides, "∣"), (NatLiteral, "942"), (Bang, "!"), (RightBrace, "}"),
            (NatLiteral, "233"), (ColonEquals, ":="), (By, "by"),
        ];
        Assert.Equal(expected, Lex(source));
    }

    [Fact]
    public void Tokenize_MathdAlgebra188_LexesNumericProjectionsAsDotAndNumber()
    {
        const string source = "theorem mathd_algebra_188 (σ : Equiv ℝ ℝ) (h : σ.1 2 = σ.2 2) : σ.1 (σ.1 2) = 2 := by\n";

        (LeanTokenKind, string)[] expected =
        [
            (Theorem, "theorem"), (Identifier, "mathd_algebra_188"),
            (LeftParen, "("), (Identifier, "σ"), (Colon, ":"), (Identifier, "Equiv"), (RealType, "ℝ"), (RealType, "ℝ"), (RightParen, ")"),
            (LeftParen, "("), (Identifier, "h"), (Colon, ":"),
            (Identifier, "σ"), (Dot, "."), (NatLiteral, "1"), (NatLiteral, "2"), (Equal, "="),
            (Identifier, "σ"), (Dot, "."), (NatLiteral, "2"), (NatLiteral, "2"), (RightParen, ")"),
            (Colon, ":"), (Identifier, "σ"), (Dot, "."), (NatLiteral, "1"),
            (LeftParen, "("), (Identifier, "σ"), (Dot, "."), (NatLiteral, "1"), (NatLiteral, "2"), (RightParen, ")"),
            (Equal, "="), (NatLiteral, "2"), (ColonEquals, ":="), (By, "by"),
        ];
        Assert.Equal(expected, Lex(source));
    }

    [Fact]
    public void Tokenize_Amc12a2019P21_MultiLineBigSumsGiveExpectedKinds()
    {
        const string source =
            "theorem amc12a_2019_p21 (z : ℂ) (h₀ : z = (1 + Complex.I) / Real.sqrt 2) :\n" +
            "  ((∑ k : ℤ in Finset.Icc 1 12, z ^ k ^ 2) * (∑ k : ℤ in Finset.Icc 1 12, 1 / z ^ k ^ 2)) = 36 := by\n";

        LeanTokenKind[] bigSum =
        [
            LeftParen, BigSum, Identifier, Colon, IntType, In, Identifier, NatLiteral, NatLiteral, Comma,
        ];
        LeanTokenKind[] expected =
        [
            Theorem, Identifier,
            LeftParen, Identifier, Colon, ComplexType, RightParen,
            LeftParen, Identifier, Colon, Identifier, Equal, LeftParen, NatLiteral, Plus, Identifier, RightParen,
            Slash, Identifier, NatLiteral, RightParen, Colon,
            LeftParen, .. bigSum, Identifier, Caret, Identifier, Caret, NatLiteral, RightParen,
            Star, .. bigSum, NatLiteral, Slash, Identifier, Caret, Identifier, Caret, NatLiteral, RightParen, RightParen,
            Equal, NatLiteral, ColonEquals, By,
        ];
        Assert.Equal(expected, Kinds(source));
        Assert.Contains((Identifier, "Complex.I"), Lex(source));
        Assert.Contains((Identifier, "Real.sqrt"), Lex(source));
        Assert.Contains((Identifier, "Finset.Icc"), Lex(source));
    }

    [Theory]
    [InlineData("Nat.gcd 20! 200000", new[] { Identifier, NatLiteral, Bang, NatLiteral })]
    [InlineData("∏ i in Finset.Icc 1 9, i !", new[] { BigProduct, Identifier, In, Identifier, NatLiteral, NatLiteral, Comma, Identifier, Bang })]
    [InlineData("∃! k : ℕ, k = 1", new[] { ExistsUnique, Identifier, Colon, NatType, Comma, Identifier, Equal, NatLiteral })]
    [InlineData("x ≡ 42 [MOD 47]", new[] { Identifier, Congruent, NatLiteral, LeftBracket, Identifier, NatLiteral, RightBracket })]
    [InlineData("List.Pairwise (· ≠ ·) [a, b, c]", new[] { Identifier, LeftParen, CenterDot, NotEqual, CenterDot, RightParen, LeftBracket, Identifier, Comma, Identifier, Comma, Identifier, RightBracket })]
    [InlineData("↑⌊x⌋ * (x - ↑⌊x⌋)", new[] { Coercion, LeftFloor, Identifier, RightFloor, Star, LeftParen, Identifier, Minus, Coercion, LeftFloor, Identifier, RightFloor, RightParen })]
    [InlineData("f '' { x | 0 ≤ f x }", new[] { Identifier, Image, LeftBrace, Identifier, Bar, NatLiteral, LessEqual, Identifier, Identifier, RightBrace })]
    [InlineData("IsLeast (S \\ {u}) v", new[] { Identifier, LeftParen, Identifier, SetMinus, LeftBrace, Identifier, RightBrace, RightParen, Identifier })]
    [InlineData("(4 / x)⁻¹ * 8⁻¹", new[] { LeftParen, NatLiteral, Slash, Identifier, RightParen, Inverse, Star, NatLiteral, Inverse })]
    [InlineData("f (25 /. 11) < 0", new[] { Identifier, LeftParen, NatLiteral, RatSlash, NatLiteral, RightParen, Less, NatLiteral })]
    [InlineData("Filter.Tendsto u Filter.atTop (𝓝 9)", new[] { Identifier, Identifier, Identifier, LeftParen, Identifier, NatLiteral, RightParen })]
    [InlineData("∀ (x) (_ : x ≠ -2), f x = 1", new[] { ForAll, LeftParen, Identifier, RightParen, LeftParen, Hole, Colon, Identifier, NotEqual, Minus, NatLiteral, RightParen, Comma, Identifier, Identifier, Equal, NatLiteral })]
    [InlineData("{A, B, C} ⊂ Finset.Icc 0 9", new[] { LeftBrace, Identifier, Comma, Identifier, Comma, Identifier, RightBrace, Subset, Identifier, NatLiteral, NatLiteral })]
    [InlineData("Finset.filter (fun x => x % 8 = 5) (Finset.range 50)", new[] { Identifier, LeftParen, Fun, Identifier, MapsTo, Identifier, Percent, NatLiteral, Equal, NatLiteral, RightParen, LeftParen, Identifier, NatLiteral, RightParen })]
    [InlineData("↑a.den + (a 2019).num", new[] { Coercion, Identifier, Plus, LeftParen, Identifier, NatLiteral, RightParen, Dot, Identifier })]
    [InlineData("x ∉ S ∧ x ∈ T ∩ U ∪ V ∧ S ⊆ T", new[] { Identifier, NotMember, Identifier, And, Identifier, Member, Identifier, Intersection, Identifier, Union, Identifier, And, Identifier, SubsetEqual, Identifier })]
    [InlineData("⟨1, 2⟩ • √2 ≠ |x|", new[] { LeftAngle, NatLiteral, Comma, NatLiteral, RightAngle, Smul, Sqrt, NatLiteral, NotEqual, Bar, Identifier, Bar })]
    [InlineData("⌈x⌉ = Int.ceil x", new[] { LeftCeil, Identifier, RightCeil, Equal, Identifier, Identifier })]
    public void Tokenize_MiniF2FNotation_GivesExpectedKinds(string source, object expected)
    {
        // The token kinds are internal to Planning.Provers and xunit runs public methods, so the data arrives as object.
        Assert.Equal((LeanTokenKind[])expected, Kinds(source));
    }

    // ---- Unicode and ASCII spellings ----

    [Theory]
    [InlineData("→", "->", Arrow)]
    [InlineData("↔", "<->", Iff)]
    [InlineData("∧", "/\\", And)]
    [InlineData("∨", "\\/", Or)]
    [InlineData("≠", "!=", NotEqual)]
    [InlineData("≤", "<=", LessEqual)]
    [InlineData("≥", ">=", GreaterEqual)]
    [InlineData("∀", "forall", ForAll)]
    [InlineData("∃", "exists", Exists)]
    [InlineData("λ", "fun", Fun)]
    [InlineData("↦", "=>", MapsTo)]
    [InlineData("ℕ", "Nat", NatType)]
    [InlineData("ℤ", "Int", IntType)]
    [InlineData("ℚ", "Rat", RatType)]
    [InlineData("ℝ", "Real", RealType)]
    [InlineData("ℂ", "Complex", ComplexType)]
    public void Tokenize_UnicodeAndAsciiArrowsGiveSameKind(string unicode, string ascii, object expectedKind)
    {
        var kind = (LeanTokenKind)expectedKind;
        LeanToken unicodeToken = Assert.Single(LeanLexer.Tokenize(unicode));
        LeanToken asciiToken = Assert.Single(LeanLexer.Tokenize(ascii));

        Assert.Equal(kind, unicodeToken.Kind);
        Assert.Equal(kind, asciiToken.Kind);
        Assert.Equal(unicode, unicodeToken.Text);
        Assert.Equal(ascii, asciiToken.Text);
    }

    [Fact]
    public void Tokenize_AsciiStatementGivesSameKindsAsUnicodeStatement()
    {
        const string unicode =
            "theorem t (f : ℕ → ℝ) (h : ∀ n, f n ≥ 0 ∧ f n ≤ 1 ∨ f n ≠ 2) :\n" +
            "    ∃ x : ℤ, (x : ℚ) = 1 ↔ ¬ (λ y ↦ y) 0 = (1 : ℂ) := by";
        const string ascii =
            "theorem t (f : Nat -> Real) (h : forall n, f n >= 0 /\\ f n <= 1 \\/ f n != 2) :\n" +
            "    exists x : Int, (x : Rat) = 1 <-> ¬ (fun y => y) 0 = (1 : Complex) := by";

        LeanTokenKind[] unicodeKinds = Kinds(unicode);
        Assert.Equal(unicodeKinds, Kinds(ascii));
        Assert.Contains(Iff, unicodeKinds);
        Assert.Contains(Not, unicodeKinds);
    }

    [Fact]
    public void Tokenize_TypeNamesOnlyMatchWholeUndottedNames()
    {
        Assert.Equal(
            [(RealType, "Real"), (Identifier, "Real.sqrt"), (NatType, "Nat"), (Identifier, "Nat.gcd"), (Identifier, "Natural"), (Identifier, "Not")],
            Lex("Real Real.sqrt Nat Nat.gcd Natural Not"));
    }

    [Fact]
    public void Tokenize_KeywordsGetKeywordKinds()
    {
        Assert.Equal(
            [Theorem, Lemma, Fun, By, Let, Have, Show, From, In, Identifier, Identifier],
            Kinds("theorem lemma fun by let have show from in theorems inx"));
    }

    // ---- Identifiers and numbers ----

    [Fact]
    public void Tokenize_IdentifiersWithSubscriptsPrimesAndUnicodeLetters_AreSingleTokens()
    {
        Assert.Equal(
            [(Identifier, "h₀"), (Identifier, "h₁₂"), (Identifier, "x'"), (Identifier, "f''"), (Identifier, "σ"), (Identifier, "𝓝"),
             (Identifier, "_x"), (Identifier, "xᵢ"), (Identifier, "Finset.range"), (Identifier, "Nat.Prime"), (Identifier, "α.β")],
            Lex("h₀ h₁₂ x' f'' σ 𝓝 _x xᵢ Finset.range Nat.Prime α.β"));
    }

    [Fact]
    public void Tokenize_BangDirectlyAfterNameIsPartOfTheName()
    {
        // As in Lean, '!' continues an identifier, so `n!` is a name and the factorial of a variable is `n !`.
        Assert.Equal([(Identifier, "n!"), (Identifier, "n"), (Bang, "!"), (NatLiteral, "5"), (Bang, "!")], Lex("n! n ! 5!"));
    }

    [Fact]
    public void Tokenize_NumberLiterals_DistinguishNaturalAndDecimal()
    {
        Assert.Equal(
            [(NatLiteral, "3"), (DecimalLiteral, "0.5"), (DecimalLiteral, "12.25"), (DecimalLiteral, "2e10"), (DecimalLiteral, "1.5e-3"),
             (NatLiteral, "2"), (Dot, "."), (Identifier, "x"), (NatLiteral, "2"), (Identifier, "x")],
            Lex("3 0.5 12.25 2e10 1.5e-3 2.x 2x"));
    }

    // ---- Positions ----

    [Fact]
    public void Tokenize_MultiLineInput_ReportsLineColumnAndOffset()
    {
        const string source = "theorem t (h₀ : x ≠ 0) :\r\n  𝓝 x = y\n    -- note\n  ∧ z";

        LeanToken[] tokens = [.. LeanLexer.Tokenize(source)];

        Assert.Equal(new SourcePosition(1, 1, 0), tokens[0].Position);   // theorem
        Assert.Equal(new SourcePosition(1, 9, 8), tokens[1].Position);   // t
        Assert.Equal(new SourcePosition(1, 12, 11), tokens[3].Position); // h₀
        Assert.Equal(new SourcePosition(1, 15, 14), tokens[4].Position); // ':' after the two-column h₀
        Assert.Equal(new SourcePosition(1, 24, 23), tokens[9].Position); // ':' at the end of line 1
        Assert.Equal(new SourcePosition(2, 3, 28), tokens[10].Position); // 𝓝 after "\r\n"
        Assert.Equal(new SourcePosition(2, 5, 31), tokens[11].Position); // x: 𝓝 is one column, two UTF-16 units
        Assert.Equal(new SourcePosition(2, 9, 35), tokens[13].Position); // y
        Assert.Equal(new SourcePosition(4, 3, 51), tokens[14].Position); // ∧ after the comment line
        Assert.Equal(new SourcePosition(4, 5, 53), tokens[15].Position); // z
        Assert.Equal(16, tokens.Length);
        Assert.All(tokens, token => Assert.Equal(token.Text, source.Substring(token.Position.Offset, token.Text.Length)));
    }

    [Fact]
    public void Tokenize_BlockCommentSpanningLines_AdvancesLineNumber()
    {
        LeanToken token = Assert.Single(LeanLexer.Tokenize("/- one\ntwo\r\nthree -/ x"));

        Assert.Equal(new SourcePosition(3, 10, 21), token.Position);
    }

    // ---- Comments ----

    [Fact]
    public void Tokenize_NestedBlockComments_AreSkipped()
    {
        const string source = "theorem /- outer /- inner -/ still outer -/ t /-/ -/ : /- a -- b -/ True";

        Assert.Equal([(Theorem, "theorem"), (Identifier, "t"), (Colon, ":"), (Identifier, "True")], Lex(source));
    }

    [Fact]
    public void Tokenize_LineAndDocComments_AreSkipped()
    {
        const string source = "/-- The doc comment. -/\ntheorem t : -- the statement\n  1 = 1 -- done";

        Assert.Equal([Theorem, Identifier, Colon, NatLiteral, Equal, NatLiteral], Kinds(source));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \t\r\n ")]
    [InlineData("-- only a comment")]
    [InlineData("/- only /- a -/ comment -/\n")]
    public void Tokenize_TextWithoutTokens_ReturnsEmpty(string source)
    {
        Assert.Empty(LeanLexer.Tokenize(source));
    }

    // ---- Errors ----

    [Fact]
    public void Tokenize_UnexpectedCharacter_ThrowsWithExactLineAndColumn()
    {
        LeanSyntaxException error = Assert.Throws<LeanSyntaxException>(() => LeanLexer.Tokenize("theorem t :\n  x = § 1 := by"));

        Assert.Equal(new SourcePosition(2, 7, 18), error.Position);
        Assert.Equal("unexpected character '§' (U+00A7)", error.Reason);
        Assert.Equal("line 2, column 7: unexpected character '§' (U+00A7)", error.Message);
    }

    [Theory]
    [InlineData("𝓝 ; x", 1, 3, 3)]       // after a surrogate pair: one column, two UTF-16 units
    [InlineData("x = Σ y", 1, 5, 4)]      // capital sigma is not a Lean letter
    [InlineData("x\r\n  'a'", 2, 3, 5)]   // a lone quote is not a token
    [InlineData("a\n\nb ⁻ c", 3, 3, 5)]   // a superscript minus without its ¹
    public void Tokenize_UnexpectedCharacter_ReportsItsPosition(string source, int line, int column, int offset)
    {
        LeanSyntaxException error = Assert.Throws<LeanSyntaxException>(() => LeanLexer.Tokenize(source));

        Assert.Equal(new SourcePosition(line, column, offset), error.Position);
        Assert.StartsWith($"line {line}, column {column}: unexpected character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenize_UnterminatedBlockComment_ThrowsAtTheCommentStart()
    {
        LeanSyntaxException error = Assert.Throws<LeanSyntaxException>(() => LeanLexer.Tokenize("theorem t\n  /- a /- b -/ c"));

        Assert.Equal(new SourcePosition(2, 3, 12), error.Position);
        Assert.Equal("line 2, column 3: unterminated block comment", error.Message);
    }

    [Fact]
    public void Tokenize_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => LeanLexer.Tokenize(null!));
    }

    // ---- The miniF2F corpus ----

    [Fact]
    public void Tokenize_EveryMiniF2FStatement_AtLeast98PercentSucceed()
    {
        IReadOnlyList<(string Name, string Statement)> statements = MiniF2FData.ReadStatements();
        List<string> failures = [];
        foreach ((string name, string statement) in statements)
        {
            try
            {
                LeanToken[] tokens = [.. LeanLexer.Tokenize(statement)];
                if (tokens[0].Kind != Theorem || tokens[^1].Kind != By ||
                    tokens.Any(token => statement.Substring(token.Position.Offset, token.Text.Length) != token.Text))
                {
                    failures.Add($"{name}: tokens do not start with 'theorem', end with 'by' and match the source");
                }
            }
            catch (LeanSyntaxException exception)
            {
                failures.Add($"{name}: {exception.Message}");
            }
        }

        Assert.NotEmpty(statements);
        double rate = (double)(statements.Count - failures.Count) / statements.Count;
        output.WriteLine($"{statements.Count - failures.Count} of {statements.Count} miniF2F statements tokenized ({rate:P1}).");
        Assert.True(
            rate >= 0.98,
            $"{statements.Count - failures.Count} of {statements.Count} statements tokenized ({rate:P1}); failures:\n{string.Join('\n', failures)}");
    }

    // ---- Properties ----

    /// <summary>A token text the lexer must give back unchanged, and the kind it must give it.</summary>
    internal sealed record KnownToken(string Text, LeanTokenKind Kind)
    {
        public override string ToString()
        {
            return Text;
        }
    }

    private static readonly KnownToken[] KnownTokens =
    [
        .. LeanSpellings.Symbols.Select(static symbol => new KnownToken(symbol.Text, symbol.Kind)),
        .. LeanSpellings.Words.Select(static word => new KnownToken(word.Key, word.Value)),
        new("x", Identifier), new("h₀", Identifier), new("x'", Identifier), new("σ", Identifier), new("𝓝", Identifier),
        new("Real.sqrt", Identifier), new("Finset.range", Identifier), new("Nat.gcd", Identifier), new("Not", Identifier),
        new("_x", Identifier), new("n!", Identifier), new("0", NatLiteral), new("2000", NatLiteral), new("0.5", DecimalLiteral),
    ];

    // Every separator starts with whitespace: `\` directly before `/-` would rightly lex as `\/`.
    private static readonly string[] Trivia = [" ", "  ", "\t", "\n", "\r\n", " -- comment\n", " /- block /- nested -/ -/ ", "\n/-- doc -/ "];

    [Property(MaxTest = 300)]
    public Property Tokenize_KnownTextsJoinedBySpaces_GiveBackTheTextsInOrder()
    {
        Arbitrary<KnownToken[]> sequences = Gen.Elements(KnownTokens).ArrayOf().ToArbitrary();
        return Prop.ForAll(sequences, static sequence =>
        {
            LeanToken[] tokens = [.. LeanLexer.Tokenize(string.Join(' ', sequence.Select(static known => known.Text)))];
            return tokens.Select(static token => token.Text).SequenceEqual(sequence.Select(static known => known.Text))
                && tokens.Select(static token => token.Kind).SequenceEqual(sequence.Select(static known => known.Kind));
        });
    }

    [Property(MaxTest = 300)]
    public Property Tokenize_KnownTextsSeparatedByCommentsAndLineBreaks_GiveBackTheTextsAtTheirOffsets()
    {
        Gen<(KnownToken Token, string Separator)> item = Gen.Elements(KnownTokens).Zip(Gen.Elements(Trivia));
        Arbitrary<(KnownToken Token, string Separator)[]> sequences = item.ArrayOf().ToArbitrary();
        return Prop.ForAll(sequences, static sequence =>
        {
            string source = string.Concat(sequence.Select(static pair => pair.Token.Text + pair.Separator));
            LeanToken[] tokens = [.. LeanLexer.Tokenize(source)];
            return tokens.Select(static token => token.Text).SequenceEqual(sequence.Select(static pair => pair.Token.Text))
                && tokens.All(token => string.CompareOrdinal(source, token.Position.Offset, token.Text, 0, token.Text.Length) == 0);
        });
    }
}
