using Planning.Provers.Formal;

namespace Planning.Provers.Tests.Formal;

public sealed class LeanStatementParserErrorTests
{
    private static FormalParseException Failure(string source)
    {
        return Assert.Throws<FormalParseException>(() => LeanStatementParser.Parse(source));
    }

    // ---- Malformed text: syntax errors with the offending token's line and column ----

    [Theory]
    [InlineData("theorem t (x : ℝ) : x = := by", 1, 25, "expected a term but found ':='")]
    [InlineData("theorem t (x : ℝ)\n    (h₀ : x + ) : x = 1 := by", 2, 15, "expected a term but found ')'")]
    [InlineData("theorem t (x : ℝ : x = 1 := by", 1, 18, "expected ')' but found ':'")]
    [InlineData("theorem t : (1 + 2 = 3 := by", 1, 24, "expected ')' but found ':='")]
    [InlineData("theorem t : 1 + 2 = 3 = 4 := by", 1, 23, "expected ':=' or the end of the statement but found '='")]
    [InlineData("theorem t : (1 + 2", 1, 19, "expected ')' but found the end of the statement")]
    [InlineData("theorem t\n  (x : ℝ) :\n  x = 1 ∧", 3, 10, "expected a term but found the end of the statement")]
    [InlineData("def t : 1 = 1 := rfl", 1, 1, "expected 'theorem' but found 'def'")]
    [InlineData("", 1, 1, "expected 'theorem' but found the end of the statement")]
    [InlineData("theorem : 1 = 1 := by", 1, 9, "expected the theorem's name but found ':'")]
    [InlineData("theorem t (x : ℝ) x = 1 := by", 1, 19, "expected ':' before the conclusion but found 'x'")]
    [InlineData("theorem t (x : ℝ) : x § 1 := by", 1, 23, "unexpected character '§' (U+00A7)")]
    [InlineData("theorem t : ∀ x y, := by", 1, 20, "expected a term but found ':='")]
    [InlineData("theorem t : ∀ , x = 1 := by", 1, 15, "expected a bound variable but found ','")]
    [InlineData("theorem t : ∑ k in Finset.range 3 k = 1 := by", 1, 41, "expected ',' before the summand but found ':='")]
    [InlineData("theorem t : |1 - 2 = 1 := by", 1, 24, "expected '|' but found ':='")]
    [InlineData("theorem t (a b : ℕ) : a ≡ b [MOD 3 := by", 1, 36, "expected ']' but found ':='")]
    public void Parse_MalformedStatement_ReportsSyntaxErrorAtTheToken(string source, int line, int column, string reason)
    {
        FormalParseException exception = Failure(source);

        Assert.Equal(FormalParseErrorKind.Syntax, exception.Kind);
        Assert.Equal(reason, exception.Reason);
        Assert.Equal((line, column), (exception.Line, exception.Column));
        Assert.Equal($"line {line}, column {column}: {reason}", exception.Message);
        Assert.Null(exception.Construct);
        Assert.False(exception.IsUnsupported);
    }

    [Fact]
    public void Parse_DeeplyNestedInput_IsASyntaxErrorNotAStackOverflow()
    {
        string source = "theorem t : " + new string('(', 10_000) + "1" + new string(')', 10_000) + " = 1 := by";

        FormalParseException exception = Failure(source);

        Assert.Equal(FormalParseErrorKind.Syntax, exception.Kind);
        Assert.Contains("nested too deeply", exception.Reason, StringComparison.Ordinal);
    }

    // ---- Ill-typed statements ----

    [Theory]
    [InlineData("theorem t (x : ℝ) : (x : ℕ) = 1 := by", 1, 22, "type error: expected ℕ but found ℝ")]
    [InlineData("theorem t (n : ℕ) : -n = 1 := by", 1, 21, "type error: ℕ has no negation")]
    [InlineData("theorem t (n : ℕ) (x : ℝ) : n ∣ x := by", 1, 33, "type error: expected ℕ but found ℝ")]
    [InlineData("theorem t (x : ℝ) : x := by", 1, 21, "type error: expected Prop but found ℝ")]
    [InlineData("theorem t (f : ℕ → ℕ) : f 1 2 = 3 := by", 1, 29, "type error: f is not a function of 2 argument(s)")]
    [InlineData("theorem t (x : ℝ) (h : x + 1) : x = 1 := by", 1, 24, "type error: expected Prop but found ℝ")]
    [InlineData("theorem t (x : ℝ) (z : ℤ) (r : NNReal) : z + r = x := by", 1, 46, "type error: cannot combine ℤ and NNReal in one expression")]
    [InlineData("theorem t (x : ℝ) : x ∈ x := by", 1, 25, "type error: expected a Set or Finset but found ℝ")]
    [InlineData("theorem t (x : ℝ) : Real.sqrt x x = 1 := by", 1, 33, "type error: Real.sqrt takes 1 argument(s)")]
    [InlineData("theorem t : (ℕ → ℕ) = 1 := by", 1, 14, "type error: the type ℕ → ℕ is used as a proposition")]
    public void Parse_IllTypedStatement_ReportsTypeErrorWithPosition(string source, int line, int column, string reason)
    {
        FormalParseException exception = Failure(source);

        Assert.Equal(FormalParseErrorKind.Type, exception.Kind);
        Assert.Equal(reason, exception.Reason);
        Assert.Equal((line, column), (exception.Line, exception.Column));
    }

    // ---- Constructs outside the subset ----

    [Theory]
    [InlineData("theorem t (p : ℕ) (x : ZMod (p + 1)) : x = 1 := by", "ZMod with a non-literal modulus")]
    [InlineData("theorem t (p : ℤ) (x : ZMod p) : x = 1 := by", "ZMod with a non-literal modulus")]
    [InlineData("theorem t (x : ZMod 0) : x = 1 := by", "ZMod 0")]
    [InlineData("theorem t (f : ℝ → ℝ) (h : Fintype (f '' {0})) : 1 = 1 := by", "image ''")]
    [InlineData("theorem t : ({} : Set ℕ) = {1} := by", "set literal { … }")]
    [InlineData("theorem t (f : ℝ → ℝ) : f '' {0} = {0} := by", "image ''")]
    [InlineData("theorem t (σ : Equiv ℝ ℝ) : σ.1 = σ.1 := by", "projection .1 without an argument")]
    [InlineData("theorem t (f : ℝ → ℝ) : f.2 1 = 3 := by", "projection .2 of a term that is not an equivalence")]
    [InlineData("theorem t (σ : Equiv ℝ ℝ) : σ.3 2 = 3 := by", "projection .3")]
    [InlineData("theorem t (n : ℕ) : (Nat.digits 10 n).sum = 5 := by", "Nat.digits")]
    [InlineData("theorem t (b n : ℕ) : Nat.digits b n = [1, 2] := by", "Nat.digits")]
    [InlineData("theorem t (n : ℕ) : Nat.digits 1 n = [1, 2] := by", "Nat.digits")]
    [InlineData("theorem t : [1, 2].Pairwise (· + ·) := by", "anonymous-function dot ·")]
    [InlineData("theorem t (x : ℕ) : (· < ·) = (· ≤ ·) := by", "operator section (· ·)")]
    [InlineData("theorem t (S : Finset ℕ) [Fintype S] : S.card = 1 := by", "instance binder [ … ]")]
    [InlineData("theorem t (x y : ℕ) : (x, y) ≤ (1, 1) := by", "tuple ( , )")]
    [InlineData("theorem t (x : ℕ) : x ∈ ({1, 2} : Finset ℕ) := by", "finset literal { … }")]
    [InlineData("theorem t (S : Set ℕ) : 1 ∈ { x ∈ S | x > 0 } := by", "set-builder over a set { x ∈ s | p }")]
    [InlineData("theorem t (n) : n = 1 := by", "binder without a type")]
    [InlineData("theorem t (f : ℕ+ → ℕ) : f 1 = 1 := by", "ℕ+")]
    [InlineData("theorem t (x y : ℕ+) (h : x - y = 1) : x = 2 := by", "ℕ+ with ℕ subtract")]
    [InlineData("theorem t (S T : Set ℕ) : S ∩ T = S := by", "intersection ∩")]
    [InlineData("theorem t (S T : Set ℕ) : S ∪ T = S := by", "union ∪")]
    [InlineData("theorem t (S : Set ℕ) (u : ℕ) : IsLeast (S \\ {u}) 1 := by", "set difference \\")]
    [InlineData("theorem t (f : ℕ → ℕ) : Function.Surjective f := by", "Function.Surjective")]
    [InlineData("theorem t (f : ℕ → ℕ) : f = fun x => x := by", "fun")]
    [InlineData("theorem t (x : ℝ) : Real.arcsin x = 0 := by", "Real.arcsin")]
    [InlineData("theorem t (x : ℝ) : x.arcsin = 0 := by", "Real.arcsin")]
    [InlineData("theorem t (p : Prop) : p := by", "Prop as a binder type")]
    [InlineData("theorem t : (∑ k, k) = 1 := by", "∑ over a whole type")]
    [InlineData("theorem t : (∑ k < 5, k) = 1 := by", "∑ with a binder predicate")]
    [InlineData("theorem t (n : ℕ) : (∏ i in Finset.range n, (id : ℕ → ℕ) i) = 1 := by", "application of a term that is not a name")]
    [InlineData("theorem t (n : ℕ) : Finset.prod (Finset.range n) (Nat.succ : ℕ → ℕ) = 1 := by", "Finset.prod of a function term")]
    [InlineData("theorem t (f : ℕ → ℕ → ℕ) : f 1 = f 2 := by", "partial application of f")]
    [InlineData("theorem t : Nat.gcd = Nat.lcm := by", "partial application of Nat.gcd")]
    [InlineData("theorem t (a b : ℕ) : a ≡ b [PMOD 3] := by", "≡ [PMOD]")]
    [InlineData("theorem t : [1, 2].sum = 3 := by", "list literal [ … ]")]
    [InlineData("theorem t : (fun x => x) 1 = 1 := by", "fun")]
    [InlineData("theorem t (l : List ℕ) : l.sum = 1 := by", "List")]
    [InlineData("theorem t : ∃ x, ⟨x, 1⟩ = (1, 1) := by", "anonymous constructor ⟨ ⟩")]
    [InlineData("theorem t (x : ℝ) : x • x = x := by", "scalar multiplication •")]
    [InlineData("theorem t : 0.5 = 0.5 := by", "decimal literal without a type (Float)")]
    [InlineData("theorem t : MOD := by", "MOD")]
    [InlineData("theorem t : ∃! p, p := by", "variable of type Prop")]
    [InlineData("theorem t : S = {x : ℕ | x > 0} := by", "S")]
    public void Parse_ConstructOutsideTheSubset_IsClassifiedUnsupported(string source, string construct)
    {
        FormalParseException exception = Failure(source);

        Assert.Equal(FormalParseErrorKind.Unsupported, exception.Kind);
        Assert.True(exception.IsUnsupported);
        Assert.Equal(construct, exception.Construct);
        Assert.Equal("unsupported: " + construct, exception.Reason);
    }

    [Fact]
    public void Parse_UnsupportedConstruct_CarriesItsPosition()
    {
        FormalParseException exception = Failure("theorem t (p : ℤ)\n  (x : ZMod p) : x = 1 := by");

        Assert.Equal((2, 13), (exception.Line, exception.Column));
        Assert.Equal("line 2, column 13: unsupported: ZMod with a non-literal modulus", exception.Message);
    }

    [Fact]
    public void Parse_LexerFailureInsideTheStatement_IsASyntaxErrorWithTheLexersPosition()
    {
        FormalParseException exception = Failure("theorem t : 1 = /- never closed");

        Assert.Equal(FormalParseErrorKind.Syntax, exception.Kind);
        Assert.Equal((1, 17), (exception.Line, exception.Column));
        Assert.Equal("unterminated block comment", exception.Reason);
        Assert.IsType<Planning.Provers.Lean.LeanSyntaxException>(exception.InnerException);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => LeanStatementParser.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => LeanStatementParser.TryParse(null!));
    }
}
