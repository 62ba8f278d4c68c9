using System.Globalization;

using Planning.Provers.Formal;
using Planning.Provers.Selection;
using Planning.Provers.Tests.Lean;

using Xunit.Abstractions;

namespace Planning.Provers.Tests.Selection;

public sealed class RuleInformalizerTests(ITestOutputHelper output)
{
    private static readonly RuleInformalizer Informalizer = new();

    private static string Informalize(string lean)
    {
        return Informalizer.Informalize(LeanStatementParser.Parse(lean));
    }

    [Theory]
    [InlineData(
        "theorem t (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6 := by",
        "Let x and y be real numbers such that x + y = 10 and x - y = 2. Show that x = 6.")]
    [InlineData(
        "theorem t (n : ℕ) (h₀ : n % 5 = 3) : 2 * n % 5 = 1 := by",
        "Let n be a natural number such that n mod 5 = 3. Show that 2 * n mod 5 = 1.")]
    [InlineData(
        "theorem t : Real.sqrt 16 = 4 := by",
        "Show that the square root of 16 = 4.")]
    [InlineData(
        "theorem t (a : ℤ) (h : 3 ∣ a) : 3 ∣ a ^ 2 := by",
        "Let a be an integer such that a is divisible by 3. Show that a ^ 2 is divisible by 3.")]
    [InlineData(
        "theorem t : ∑ k in Finset.Icc 1 10, k = 55 := by",
        "Show that the sum of k for k from 1 to 10 = 55.")]
    [InlineData(
        "theorem t : ∑ k in Finset.range 10, (k + 1) = 55 := by",
        "Show that the sum of k + 1 for k from 0 to 9 = 55.")]
    [InlineData(
        "theorem t : ∀ n : ℕ, n > 0 → 0 < n ^ 2 := by",
        "Show that for every natural number n such that n > 0, 0 < n ^ 2.")]
    [InlineData(
        "theorem t (f : ℝ → ℝ) (h : ∀ x, f x = 2 * x + 1) : f 3 = 7 := by",
        "Let f be a function from the real numbers to the real numbers such that for every real number x, f(x) = 2 * x + 1. Show that f(3) = 7.")]
    [InlineData(
        "theorem t : Nat.Prime 7 ∧ ¬ Nat.Prime 9 := by",
        "Show that 7 is prime and 9 is not prime.")]
    [InlineData(
        "theorem t (x : ℝ) (h : 0 < x) : (x - 1) * (x + 1) ≤ x ^ 2 := by",
        "Let x be a real number such that 0 < x. Show that (x - 1) * (x + 1) <= x ^ 2.")]
    [InlineData(
        "theorem t : ∃ x : ℤ, x ^ 2 = 4 ∧ x < 0 := by",
        "Show that there exists an integer x such that x ^ 2 = 4 and x < 0.")]
    [InlineData(
        "theorem t : Nat.gcd 12 18 = 6 := by",
        "Show that the greatest common divisor of 12 and 18 = 6.")]
    [InlineData(
        "theorem t (a b : ℕ) (h : a ≡ b [MOD 3]) : (a - b) % 3 = 0 ∨ a < b := by",
        "Let a and b be natural numbers such that a is congruent to b modulo 3. Show that (a - b) mod 3 = 0 or a < b.")]
    [InlineData(
        "theorem t (x : ℝ) (h : |x - 1| < 2) : x < 3 := by",
        "Let x be a real number such that the absolute value of (x - 1) < 2. Show that x < 3.")]
    [InlineData(
        "theorem t (x : ℕ) (h : (x : ℝ) / 2 = 1.5) : x = 3 := by",
        "Let x be a natural number such that x / 2 = 1.5. Show that x = 3.")]
    [InlineData(
        "theorem t (σ : Equiv ℝ ℝ) (h : σ.2 2 = 10) : σ.1 10 = 2 := by",
        "Let σ be a bijection from the real numbers to the real numbers such that σ^-1(2) = 10. Show that σ(10) = 2.")]
    [InlineData(
        "theorem t (x : ZMod 7) (h : x = 3) : x ^ 2 = 2 := by",
        "Let x be an integer modulo 7 such that x = 3. Show that x ^ 2 = 2.")]
    public void Informalize_SmallStatements_ExpectedEnglish(string lean, string expected)
    {
        Assert.Equal(expected, Informalize(lean));
    }

    [Fact]
    public void Informalize_EveryLibraryFunction_HasItsOwnRule()
    {
        foreach (FormalFunction function in Enum.GetValues<FormalFunction>())
        {
            FunctionSignature signature = FormalFunctions.Get(function);
            FormalType alpha = FormalType.Int;
            FormalExpr[] arguments = [.. Enumerable.Range(0, signature.Arity)
                .Select(i => (FormalExpr)new VariableExpr("a" + i.ToString(CultureInfo.InvariantCulture), signature.ParameterType(i, alpha)))];
            FormalType result = signature.Result.Instantiate(alpha);
            CallExpr call = new(function, [.. arguments], result);
            FormalExpr conclusion = result == FormalType.Prop ? call : new RelationExpr(RelationOperator.Equal, call, new VariableExpr("b", result));
            string text = Informalizer.Informalize(new FormalStatement("t", [], [], conclusion));

            // The fallback for a function without a rule is its Lean text.
            Assert.DoesNotContain(LeanPrinter.PrintExpression(call), text, StringComparison.Ordinal);
            Assert.DoesNotContain(signature.Name + " ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Informalize_EveryExpressionNode_HasItsOwnRule()
    {
        // A node type added to the IR falls back to its Lean text: this list makes the addition visible.
        string[] covered =
        [
            nameof(NumeralExpr), nameof(ScientificExpr), nameof(VariableExpr), nameof(CastExpr), nameof(NegateExpr),
            nameof(ArithmeticExpr), nameof(CallExpr), nameof(ApplyExpr), nameof(RelationExpr), nameof(LogicalExpr),
            nameof(NotExpr), nameof(QuantifierExpr), nameof(BigOperatorExpr), nameof(SetBuilderExpr), nameof(FilterExpr),
        ];
        string[] nodes = [.. typeof(FormalExpr).Assembly.GetTypes()
            .Where(static type => type.IsSubclassOf(typeof(FormalExpr)) && !type.IsAbstract)
            .Select(static type => type.Name)
            .Order(StringComparer.Ordinal)];
        Assert.Equal(covered.Order(StringComparer.Ordinal), nodes);
    }

    [Fact]
    public void Informalize_SetsAndFilters_InWords()
    {
        Assert.Equal(
            "Show that 12 is the least element of (the set of natural numbers n such that 0 < n and n is divisible by 4 and n is divisible by 6).",
            Informalize("theorem t : IsLeast { n : ℕ | 0 < n ∧ 4 ∣ n ∧ 6 ∣ n } 12 := by"));
        Assert.Equal(
            "Show that the number of elements of (the elements n of (the natural numbers less than 20) such that n is even) = 10.",
            Informalize("theorem t : (Finset.filter (fun n => Even n) (Finset.range 20)).card = 10 := by"));
        Assert.Equal(
            "Show that the sum of k over the divisors k of 12 = 28.",
            Informalize("theorem t : ∑ k in Nat.divisors 12, k = 28 := by"));
    }

    [Fact]
    public void Informalize_SameStatementTwice_SameText()
    {
        const string Lean = "theorem t (x : ℝ) (h₀ : x ≠ 0) : x⁻¹ * x = 1 := by";
        Assert.Equal(Informalize(Lean), Informalize(Lean));
    }

    [Fact]
    public void Informalize_EveryParsedMiniF2FStatement_NeverThrowsAndReadsAsEnglish()
    {
        int parsed = 0;
        foreach ((string name, string source) in MiniF2FData.ReadStatements())
        {
            FormalParseResult result = LeanStatementParser.TryParse(source);
            if (!result.Succeeded)
            {
                continue;
            }

            parsed++;
            string text = Informalizer.Informalize(result.Statement!);
            Assert.False(string.IsNullOrWhiteSpace(text), name);
            Assert.Contains("Show that ", text, StringComparison.Ordinal);
            Assert.EndsWith(".", text, StringComparison.Ordinal);
            Assert.DoesNotContain("∑", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Real.sqrt", text, StringComparison.Ordinal);
            if (parsed % 60 == 1)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {text}"));
            }
        }

        Assert.True(parsed > 400, $"only {parsed} statements parsed");
    }
}
