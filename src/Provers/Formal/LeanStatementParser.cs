namespace Planning.Provers.Formal;

/// <summary>
/// Parses a Lean 4 theorem statement in miniF2F style (<c>theorem name (x y : ℝ) (h₀ : …) : conclusion := by …</c>)
/// into a typed <see cref="FormalStatement"/>. The proof after <c>:=</c> is optional and ignored; Unicode and ASCII
/// spellings are equivalent (<c>→ -&gt;</c>, <c>ℝ Real</c>, <c>∀ forall</c>, …).
/// </summary>
/// <remarks>
/// <para><b>Syntax.</b> Lean 4's precedences and associativity: <c>↔</c> 20, <c>→</c> 25 (right), <c>∨</c> 30 (right),
/// <c>∧</c> 35 (right), <c>¬</c> takes its argument at 40 (<c>¬a = b</c> is <c>¬(a = b)</c>), <c>= ≠ &lt; ≤ &gt; ≥ ∣ ∈ ∉ ≡</c>
/// 50 (not associative), <c>+ -</c> 65 (left), <c>* / %</c> 70 (left), <c>^</c> 75 (right), prefix <c>-</c> 75
/// (<c>-x ^ 2</c> is <c>-(x ^ 2)</c>), application and <c>↑</c> at max, postfix <c>!</c> and <c>⁻¹</c> bind to an atom.
/// <c>∀ ∃ ∃!</c> extend as far right as possible; the summand of <c>∑ ∏</c> is parsed at 67, so
/// <c>∑ i in s, f i + 1</c> is <c>(∑ i in s, f i) + 1</c>. Binder predicates expand as in Lean:
/// <c>∀ x &gt; 0, p</c> is <c>∀ x, x &gt; 0 → p</c>, <c>∃ x &gt; 0, p</c> is <c>∃ x, x &gt; 0 ∧ p</c>, and a hypothesis
/// binder <c>∀ (y) (_ : y ≠ 0), p</c> is <c>∀ y, y ≠ 0 → p</c>.</para>
/// <para><b>Types</b>, as Lean's elaborator assigns them (<c>binop%</c>, <c>binrel%</c>, <c>elabAppArgs</c>):</para>
/// <list type="number">
/// <item>Binders give variables their types. A quantifier, big-operator or set-builder variable without a type
/// gets the type its uses demand (an argument of <c>f : ℝ → ℝ</c>, a term beside a real), else ℕ.</item>
/// <item>An arithmetic tree (operands of <c>+ - * / %</c>, unary <c>-</c>, and the base of <c>^</c>, through
/// parentheses) is elaborated as a whole: its type is the largest of the expected type and the types its leaves
/// have on their own (ℕ → ℤ → ℚ → ℝ → ℂ, ℕ → NNReal → ℝ); each leaf of a smaller type is coerced
/// (<see cref="CastExpr"/> around the leaf, so <c>(x + y : ℝ)</c> with <c>x y : ℕ</c> is <c>↑x + ↑y</c>, not <c>↑(x + y)</c>).</item>
/// <item>Numerals, <c>↑e</c> and polymorphic calls on them are pending: they take the tree's type. When nothing
/// fixes it, a numeral is ℕ (<c>(1/4 : ℕ)</c> and an unconstrained <c>1/4</c> are ℕ division, 0).</item>
/// <item>The two sides of <c>= ≠ &lt; ≤ &gt; ≥</c> form one tree (<c>(5 : ℚ) / 8 * b = 2 / 3 * a</c> with <c>a b : ℕ</c>
/// coerces both <c>a</c> and <c>b</c>); <c>∣</c> takes the type of its first side with a type of its own; in
/// <c>a ∈ S</c> the element type comes from <c>S</c>.</item>
/// <item>The exponent of <c>^</c> is elaborated alone: a numeral exponent is ℕ (<c>x ^ (1/3)</c> is <c>x ^ 0</c>),
/// a ℤ or ℝ exponent keeps its type.</item>
/// <item>A type ascription <c>(e : T)</c> elaborates <c>e</c> expecting <c>T</c> and coerces the result; <c>↑e</c>
/// elaborates <c>e</c> alone and coerces it to the type its context expects (a pending <c>e</c> just takes that type).</item>
/// <item>Function arguments are elaborated against the parameter types (<c>Real.sqrt n</c> with <c>n : ℕ</c> is
/// <c>Real.sqrt ↑n</c>); a polymorphic function's α comes from the expected type when its result mentions α, else
/// from its first argument with a type of its own, else ℕ.</item>
/// </list>
/// <para><b>Errors.</b> Malformed text raises <see cref="FormalParseException"/> of kind
/// <see cref="FormalParseErrorKind.Syntax"/> with the line and column of the offending token; ill-typed text kind
/// <see cref="FormalParseErrorKind.Type"/>; a construct outside the subset kind
/// <see cref="FormalParseErrorKind.Unsupported"/> with its name (<c>unsupported: Finset.filter</c>,
/// <c>unsupported: ZMod</c>, <c>unsupported: image ''</c>). Nothing else is thrown.</para>
/// </remarks>
public static class LeanStatementParser
{
    /// <summary>Parses and elaborates one theorem statement.</summary>
    /// <param name="source">The Lean text: <c>theorem</c> (or <c>lemma</c>), a name, binders, <c>:</c>, the conclusion, optionally <c>:= proof</c>.</param>
    /// <returns>The typed statement.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormalParseException">The text is malformed, ill-typed, or outside the supported subset.</exception>
    public static FormalStatement Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        TheoremSyntax theorem = LeanTermParser.ParseTheorem(source);
        return new LeanElaborator().ElaborateTheorem(theorem);
    }

    /// <summary>Parses like <see cref="Parse"/> but returns the error instead of throwing it.</summary>
    /// <param name="source">The Lean text.</param>
    /// <returns>The statement, or the <see cref="FormalParseException"/> that <see cref="Parse"/> would throw.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static FormalParseResult TryParse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return new FormalParseResult(Parse(source), null);
        }
        catch (FormalParseException exception)
        {
            return new FormalParseResult(null, exception);
        }
    }
}

/// <summary>The outcome of <see cref="LeanStatementParser.TryParse"/>: a statement or an error, never both.</summary>
/// <param name="Statement">The parsed statement, or <see langword="null"/> when parsing failed.</param>
/// <param name="Error">Why parsing failed, or <see langword="null"/> when it succeeded.</param>
public sealed record FormalParseResult(FormalStatement? Statement, FormalParseException? Error)
{
    /// <summary>Whether the statement parsed.</summary>
    public bool Succeeded => Statement is not null;
}
