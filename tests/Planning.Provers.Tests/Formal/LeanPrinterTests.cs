using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Planning.Provers.Formal;

using static Planning.Provers.Tests.Formal.Ir;

namespace Planning.Provers.Tests.Formal;

public sealed class LeanPrinterTests
{
    private static string PrintConclusion(string binders, string conclusion)
    {
        return LeanPrinter.PrintExpression(Conclusion(binders, conclusion));
    }

    [Fact]
    public void Print_MathdAlgebra24_GivesMiniF2FStyleUnicodeText()
    {
        FormalStatement statement = LeanStatementParser.Parse("theorem mathd_algebra_24 (x : Real) (h₀ : x / 50 = 40) : x = 2000");

        Assert.Equal("theorem mathd_algebra_24 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000 := by", LeanPrinter.Print(statement));
        Assert.Equal(LeanPrinter.Print(statement), statement.ToString());
    }

    [Fact]
    public void Print_Binders_GroupsVariablesOfOneTypeAndPutsHypothesesAfterThem()
    {
        FormalStatement statement = LeanStatementParser.Parse(
            "theorem t (x : ℝ) (h₀ : 0 < x) (y : ℝ) (n m : ℕ) (f : ℕ → ℝ) (S : Finset ℕ) (h₁ : f n = y) : x = y := by");

        Assert.Equal(
            "theorem t (x y : ℝ) (n m : ℕ) (f : ℕ → ℝ) (S : Finset ℕ) (h₀ : 0 < x) (h₁ : f n = y) : x = y := by",
            LeanPrinter.Print(statement));
    }

    [Theory]
    [InlineData("(a b c : ℤ)", "((a - b) - c) = 0", "a - b - c = 0")]
    [InlineData("(a b c : ℤ)", "a - (b - c) = 0", "a - (b - c) = 0")]
    [InlineData("(a b c : ℤ)", "a + (b + c) = 0", "a + (b + c) = 0")]
    [InlineData("(a b c : ℤ)", "(a + b) * c = a * (b * c)", "(a + b) * c = a * (b * c)")]
    [InlineData("(a b c : ℤ)", "a + (b * c) = (a / b) % c", "a + b * c = a / b % c")]
    [InlineData("(a b c : ℕ)", "(a ^ b) ^ c = 0", "(a ^ b) ^ c = 0")]
    [InlineData("(a b c : ℕ)", "a ^ (b ^ c) = 0", "a ^ b ^ c = 0")]
    [InlineData("(a : ℤ)", "-(a ^ 2) = 0", "-a ^ 2 = 0")]
    [InlineData("(a : ℤ)", "(-a) ^ 2 = 0", "(-a) ^ 2 = 0")]
    [InlineData("(a b : ℤ)", "(-a) * b = 0", "-a * b = 0")]
    [InlineData("(a b : ℤ)", "a - (-b) = 0", "a - -b = 0")]
    [InlineData("(a : ℤ)", "-(-a) = a", "- -a = a")]
    [InlineData("(a : ℤ)", "-(a + 1) = a", "-(a + 1) = a")]
    [InlineData("(a b : ℤ)", "(¬ (a = b)) ∧ (b = a)", "¬a = b ∧ b = a")]
    [InlineData("(a b : ℤ)", "¬ (a = b ∧ b = a)", "¬(a = b ∧ b = a)")]
    [InlineData("(a b : ℤ)", "(a = b → b = a) → a = a", "(a = b → b = a) → a = a")]
    [InlineData("(a b : ℤ)", "a = b → (b = a → a = a)", "a = b → b = a → a = a")]
    [InlineData("(a b : ℤ)", "(a = b ∨ b = a) ∧ a = a", "(a = b ∨ b = a) ∧ a = a")]
    [InlineData("(a b : ℤ)", "(a = b ↔ b = a) ↔ a = a", "(a = b ↔ b = a) ↔ a = a")]
    [InlineData("(a b : ℤ)", "(∀ c : ℤ, c = a) ∧ a = b", "(∀ c : ℤ, c = a) ∧ a = b")]
    [InlineData("(a b : ℤ)", "a = b ∧ (∀ c : ℤ, c = a)", "a = b ∧ ∀ c : ℤ, c = a")]
    [InlineData("(a b : ℤ)", "∀ c d : ℤ, ∃ e : ℕ, c = d", "∀ c d : ℤ, ∃ e : ℕ, c = d")]
    [InlineData("(n : ℕ)", "(∑ k in Finset.range n, k) * 2 = n", "(∑ k : ℕ in Finset.range n, k) * 2 = n")]
    [InlineData("(n : ℕ)", "(∑ k in Finset.range n, k) + 2 = n", "∑ k : ℕ in Finset.range n, k + 2 = n")]
    [InlineData("(n : ℕ)", "(∑ k in Finset.range n, (k + 2)) = n", "∑ k : ℕ in Finset.range n, (k + 2) = n")]
    [InlineData("(x y : ℕ)", "((x + y : ℕ) : ℝ) = 2", "((x + y : ℕ) : ℝ) = 2")]
    [InlineData("(x y : ℕ)", "(x + y : ℝ) = 2", "(x : ℝ) + (y : ℝ) = 2")]
    [InlineData("(x : ℕ)", "↑(x ^ 2) = (2 : ℤ)", "((x ^ 2 : ℕ) : ℤ) = 2")]
    [InlineData("", "(2 : ℝ) + 2 = 4", "(2 + 2 : ℝ) = 4")]
    [InlineData("(x : ℝ)", "x + 2 = 4", "x + 2 = 4")]
    [InlineData("", "(1 / 4 : ℕ) = 0", "1 / 4 = 0")]
    [InlineData("", "Int.floor ((9 : ℝ) / 160 * 100) = 5", "⌊(9 / 160 * 100 : ℝ)⌋ = 5")]
    [InlineData("(x : ℝ)", "x ^ (1 / 3) = 1", "x ^ (1 / 3) = 1")]
    [InlineData("(x : ℝ)", "x ^ ((1 : ℝ) / 3) = 1", "x ^ (1 / 3 : ℝ) = 1")]
    [InlineData("(n : ℕ)", "Real.sqrt n = 2", "Real.sqrt (n : ℝ) = 2")]
    [InlineData("(n : ℕ)", "Nat.gcd n 4 = 2 ∧ (n + 1)! = 6", "Nat.gcd n 4 = 2 ∧ (n + 1) ! = 6")]
    [InlineData("(x : ℝ)", "abs (x - 1) < 2", "|x - 1| < 2")]
    [InlineData("(a : ℕ)", "Nat.ModEq 3 a 2", "a ≡ 2 [MOD 3]")]
    [InlineData("(x : ℝ)", "(4 / x)⁻¹ = x", "(4 / x)⁻¹ = x")]
    [InlineData("(S : Finset ℕ)", "S.card = 2", "Finset.card S = 2")]
    [InlineData("", "IsLeast {x | 0 < x} 1", "IsLeast { x : ℕ | 0 < x } 1")]
    [InlineData("", "Finset.card (Finset.filter (fun x => x % 2 = 0) (Finset.range 5)) = 3", "Finset.card (Finset.filter (fun x : ℕ => x % 2 = 0) (Finset.range 5)) = 3")]
    [InlineData("(z : ℂ)", "(∑ k : ℤ in Finset.Icc 1 12, z ^ k) = 36", "∑ k : ℤ in Finset.Icc 1 12, z ^ k = 36")]
    [InlineData("(f : ℕ → ℝ)", "f 2 = f (2 + 1)", "f 2 = f (2 + 1)")]
    [InlineData("(S : Finset ℤ)", "(2 : ℤ) ∣ 4 ∧ 2 ∈ S ∧ (3 : ℤ) ∈ Finset.Icc 1 5", "(2 : ℤ) ∣ 4 ∧ 2 ∈ S ∧ (3 : ℤ) ∈ Finset.Icc 1 5")]
    public void PrintExpression_ParsedConclusion_UsesFewestParenthesesAndAscriptions(string binders, string conclusion, string expected)
    {
        Assert.Equal(expected, PrintConclusion(binders, conclusion));
    }

    [Theory]
    [InlineData(2, "Nat", "2")]
    [InlineData(2, "Int", "(2 : ℤ)")]
    [InlineData(2, "Real", "(2 : ℝ)")]
    [InlineData(2, "NNReal", "(2 : NNReal)")]
    public void PrintExpression_LoneNumeral_AscribesAnyTypeButNat(int value, string kind, string expected)
    {
        FormalType type = Enum.Parse<FormalTypeKind>(kind) switch
        {
            FormalTypeKind.Nat => N,
            FormalTypeKind.Int => Z,
            FormalTypeKind.Real => R,
            _ => FormalType.NNReal,
        };

        Assert.Equal(expected, LeanPrinter.PrintExpression(Num(value, type)));
        Assert.Equal(expected, Num(value, type).ToString());
    }

    [Theory]
    [InlineData(5, -1, "0.5")]
    [InlineData(50, -2, "0.50")]
    [InlineData(15, -4, "0.0015")]
    [InlineData(1234, -2, "12.34")]
    [InlineData(25, 2, "25e2")]
    [InlineData(7, 0, "7e0")]
    public void PrintExpression_Scientific_WritesTheDigitsAsParsed(int mantissa, int exponent, string expected)
    {
        ScientificExpr literal = new(mantissa, exponent, R);

        Assert.Equal($"({expected} : ℝ)", LeanPrinter.PrintExpression(literal));
        AssertEqual(Eq(Var("x", R), literal), Conclusion("(x : ℝ)", "x = " + expected));
    }

    [Fact]
    public void Print_Types_UseLeanSpelling()
    {
        Assert.Equal("ℕ → ℕ → ℝ", FormalType.Function(N, FormalType.Function(N, R)).ToString());
        Assert.Equal("(ℕ → ℕ) → ℝ", FormalType.Function(FormalType.Function(N, N), R).ToString());
        Assert.Equal("Finset (Set ℤ)", FormalType.Finset(FormalType.Set(Z)).ToString());
        Assert.Equal("Set (ℕ → ℕ)", FormalType.Set(FormalType.Function(N, N)).ToString());
    }

    // ---- Round trip ----

    [Property(MaxTest = 400)]
    public Property Print_GeneratedStatement_ParsesBackToTheSameIr()
    {
        return Prop.ForAll(FormalGenerators.Statements().ToArbitrary(), static statement =>
        {
            string printed = LeanPrinter.Print(statement);
            FormalParseResult result = LeanStatementParser.TryParse(printed);
            bool same = result.Succeeded && result.Statement == statement;
            return same.Label(
                $"printed: {printed}\nerror: {result.Error?.Message}\nexpected: {FormalDump.Of(statement)}\n"
                + $"actual:   {(result.Statement is null ? "-" : FormalDump.Of(result.Statement))}");
        });
    }

    [Property(MaxTest = 300)]
    public Property Print_GeneratedStatement_IsAFixedPoint()
    {
        return Prop.ForAll(FormalGenerators.Statements().ToArbitrary(), static statement =>
        {
            string printed = LeanPrinter.Print(statement);
            return (LeanPrinter.Print(LeanStatementParser.Parse(printed)) == printed).Label(printed);
        });
    }

    [Property(MaxTest = 1000)]
    public Property Parse_RandomTokens_NeverThrowsAnythingButFormalParseExceptionAndRoundTripsWhatItParses()
    {
        return Prop.ForAll(FormalGenerators.TokenSoup().ToArbitrary(), static source =>
        {
            FormalParseResult result;
            try
            {
                result = LeanStatementParser.TryParse(source);
            }
            catch (Exception exception) when (exception is not FormalParseException)
            {
                return false.Label($"{source}\n{exception}");
            }

            if (!result.Succeeded)
            {
                return true.Label("rejected");
            }

            string printed = LeanPrinter.Print(result.Statement!);
            FormalParseResult again = LeanStatementParser.TryParse(printed);
            return (again.Succeeded && again.Statement == result.Statement).Label(
                $"{source}\nprinted: {printed}\nerror: {again.Error?.Message}\nexpected: {FormalDump.Of(result.Statement!)}");
        });
    }
}
