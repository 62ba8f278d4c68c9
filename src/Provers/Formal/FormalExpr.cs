using System.Collections.Immutable;
using System.Numerics;

namespace Planning.Provers.Formal;

/// <summary>
/// A typed expression of the formal statement IR: a term (number, set, function value) or a proposition.
/// The hierarchy is closed (all node types are in this assembly) and every node is an immutable record that
/// compares structurally, including its <see cref="Type"/>; <see cref="ToString"/> prints Lean 4 text.
/// </summary>
/// <remarks>
/// <para>
/// Types are recorded as Lean 4 elaborates the statement (see <see cref="LeanStatementParser"/> for the rules):
/// every numeral carries the type it is elaborated at, coercions Lean inserts appear as <see cref="CastExpr"/>,
/// and the operands of an arithmetic node have the node's type (except the exponent of
/// <see cref="NumericOperator.Power"/>).
/// </para>
/// </remarks>
public abstract record FormalExpr
{
    private protected FormalExpr(FormalType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
    }

    /// <summary>The Lean type of the expression: a number type, <see cref="FormalType.Prop"/> for propositions, a set or a function type.</summary>
    public FormalType Type { get; }

    /// <summary>The expression as Lean 4 text (see <see cref="LeanPrinter.PrintExpression"/>).</summary>
    /// <returns>The Lean text.</returns>
    public sealed override string ToString()
    {
        return LeanPrinter.PrintExpression(this);
    }

    /// <summary>Element-wise equality of two argument lists, for the records that hold one.</summary>
    internal static bool SequenceEquals(ImmutableArray<FormalExpr> first, ImmutableArray<FormalExpr> second)
    {
        return first.IsDefaultOrEmpty ? second.IsDefaultOrEmpty : !second.IsDefault && first.SequenceEqual(second);
    }

    /// <summary>A hash of an argument list consistent with <see cref="SequenceEquals"/>.</summary>
    internal static int SequenceHash(ImmutableArray<FormalExpr> items)
    {
        HashCode hash = default;
        if (!items.IsDefault)
        {
            foreach (FormalExpr item in items)
            {
                hash.Add(item);
            }
        }

        return hash.ToHashCode();
    }
}

/// <summary>A natural-number literal such as <c>2000</c>, at the type Lean elaborates it at (ℕ when nothing constrains it).</summary>
/// <param name="Value">The literal's value, never negative (<c>-3</c> is a <see cref="NegateExpr"/> of <c>3</c>).</param>
/// <param name="Type">The number type the literal is elaborated at.</param>
public sealed record NumeralExpr(BigInteger Value, FormalType Type) : FormalExpr(Type);

/// <summary>
/// A decimal or scientific literal such as <c>0.5</c> or <c>2.5e3</c>, with value
/// <c><see cref="Mantissa"/> × 10^<see cref="Exponent"/></c>; the digits are kept as written (<c>0.50</c> is 50 × 10⁻²).
/// </summary>
/// <param name="Mantissa">The digits without the decimal point, never negative.</param>
/// <param name="Exponent">The power of ten.</param>
/// <param name="Type">The type the literal is elaborated at: ℚ, ℝ, ℂ or NNReal (a decimal has no ℕ or ℤ value in Lean).</param>
public sealed record ScientificExpr(BigInteger Mantissa, int Exponent, FormalType Type) : FormalExpr(Type);

/// <summary>A variable: a theorem binder, or a variable bound by a quantifier, big operator, set-builder or filter.</summary>
/// <param name="Name">The name as written, for example <c>x</c> or <c>h₀</c>.</param>
/// <param name="Type">The variable's type.</param>
public sealed record VariableExpr(string Name, FormalType Type) : FormalExpr(Type);

/// <summary>
/// A coercion Lean inserts (<c>↑x</c>, <c>(x : ℝ)</c> with <c>x : ℕ</c>): the operand's value at a larger number type.
/// </summary>
/// <param name="Operand">The value coerced; its type coerces to <paramref name="Type"/> and differs from it.</param>
/// <param name="Type">The target type.</param>
public sealed record CastExpr(FormalExpr Operand, FormalType Type) : FormalExpr(Type);

/// <summary>Negation <c>-x</c> (Lean precedence 75: <c>-x ^ 2</c> is <c>-(x ^ 2)</c>).</summary>
/// <param name="Operand">The negated value; the node has its type.</param>
public sealed record NegateExpr(FormalExpr Operand) : FormalExpr(Operand?.Type ?? throw new ArgumentNullException(nameof(Operand)));

/// <summary>A binary arithmetic operation; the node has the left operand's type.</summary>
/// <param name="Operator">The operation.</param>
/// <param name="Left">The left operand (the base of a power).</param>
/// <param name="Right">The right operand; of the left operand's type except for the exponent of a power.</param>
public sealed record ArithmeticExpr(NumericOperator Operator, FormalExpr Left, FormalExpr Right)
    : FormalExpr(Left?.Type ?? throw new ArgumentNullException(nameof(Left)));

/// <summary>An application of a library function (or a constant such as <c>Real.pi</c>, with no arguments).</summary>
/// <param name="Function">The function.</param>
/// <param name="Arguments">The arguments, as many as the function's arity, each at its parameter type.</param>
/// <param name="Type">The result type (for <c>abs</c>, <c>min</c>, <c>max</c>, <c>x⁻¹</c> the arguments' type).</param>
public sealed record CallExpr(FormalFunction Function, ImmutableArray<FormalExpr> Arguments, FormalType Type) : FormalExpr(Type)
{
    /// <summary>Structural equality, comparing the arguments element by element.</summary>
    /// <param name="other">The other call.</param>
    /// <returns>Whether the calls are equal.</returns>
    public bool Equals(CallExpr? other)
    {
        return other is not null && Function == other.Function && Type == other.Type && SequenceEquals(Arguments, other.Arguments);
    }

    /// <summary>A hash consistent with <see cref="Equals(CallExpr)"/>.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode()
    {
        return HashCode.Combine(Function, Type, SequenceHash(Arguments));
    }
}

/// <summary>
/// An application <c>f a b</c> of a function-typed variable to all of its arguments, or of an equivalence
/// <c>σ : Equiv A B</c> through its projections: <c>σ.1 a</c> (forward) or <c>σ.2 b</c> (<see cref="Inverse"/>).
/// </summary>
/// <param name="Function">The function variable, for example <c>f : ℕ → ℝ</c>, or the equivalence variable.</param>
/// <param name="Arguments">The arguments, one per arrow of the function's type, each at its domain type.</param>
/// <param name="Type">The result type (the codomain after as many arrows as there are arguments).</param>
public sealed record ApplyExpr(VariableExpr Function, ImmutableArray<FormalExpr> Arguments, FormalType Type) : FormalExpr(Type)
{
    /// <summary>
    /// For an equivalence: whether its inverse is applied (<c>σ.2 b</c>, Mathlib's <c>Equiv.invFun</c>) rather than
    /// the function itself (<c>σ.1 a</c>); always <see langword="false"/> for a function variable.
    /// </summary>
    public bool Inverse { get; init; }

    /// <summary>Whether <see cref="Function"/> is an equivalence applied through a projection (<c>σ.1</c> or <c>σ.2</c>).</summary>
    public bool IsProjection => Function.Type.Kind == FormalTypeKind.Equiv;

    /// <summary>Structural equality, comparing the arguments element by element.</summary>
    /// <param name="other">The other application.</param>
    /// <returns>Whether the applications are equal.</returns>
    public bool Equals(ApplyExpr? other)
    {
        return other is not null && Function == other.Function && Inverse == other.Inverse && Type == other.Type
            && SequenceEquals(Arguments, other.Arguments);
    }

    /// <summary>A hash consistent with <see cref="Equals(ApplyExpr)"/>.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode()
    {
        return HashCode.Combine(Function, Inverse, Type, SequenceHash(Arguments));
    }
}

/// <summary>A relation between two terms: a comparison, divisibility or membership; a proposition.</summary>
/// <param name="Operator">The relation.</param>
/// <param name="Left">The left term; for membership, the element.</param>
/// <param name="Right">The right term, of the left term's type; for membership, the <c>Set</c> or <c>Finset</c>.</param>
public sealed record RelationExpr(RelationOperator Operator, FormalExpr Left, FormalExpr Right) : FormalExpr(FormalType.Prop);

/// <summary>A binary connective between two propositions.</summary>
/// <param name="Operator">The connective.</param>
/// <param name="Left">The left proposition.</param>
/// <param name="Right">The right proposition.</param>
public sealed record LogicalExpr(LogicalOperator Operator, FormalExpr Left, FormalExpr Right) : FormalExpr(FormalType.Prop);

/// <summary>Negation <c>¬p</c> of a proposition (Lean: <c>¬</c> takes its argument at precedence 40, so <c>¬a = b</c> is <c>¬(a = b)</c>).</summary>
/// <param name="Operand">The negated proposition.</param>
public sealed record NotExpr(FormalExpr Operand) : FormalExpr(FormalType.Prop);

/// <summary>
/// A quantifier over one typed variable. Binder groups are split (<c>∀ x y : ℝ, p</c> is two nested nodes) and
/// binder predicates expanded as Lean does: <c>∀ x &gt; 0, p</c> is <c>∀ x, x &gt; 0 → p</c> and <c>∃ x &gt; 0, p</c>
/// is <c>∃ x, x &gt; 0 ∧ p</c>.
/// </summary>
/// <param name="Quantifier">The quantifier.</param>
/// <param name="Variable">The bound variable's name.</param>
/// <param name="VariableType">The bound variable's type (inferred from its uses when the binder has none; ℕ by default).</param>
/// <param name="Body">The proposition in which the variable is bound.</param>
public sealed record QuantifierExpr(Quantifier Quantifier, string Variable, FormalType VariableType, FormalExpr Body) : FormalExpr(FormalType.Prop);

/// <summary>
/// A big sum or product <c>∑ i in s, f i</c> over a finite set, kept as written (a later step unrolls literal ranges).
/// The function forms <c>Finset.sum s f</c> and <c>Finset.prod s f</c> parse to this node too.
/// </summary>
/// <param name="Operator">Sum or product.</param>
/// <param name="Index">The index variable's name.</param>
/// <param name="IndexType">The index variable's type, the element type of <paramref name="Domain"/>.</param>
/// <param name="Domain">The finite set ranged over, of type <c>Finset IndexType</c>: <c>Finset.range n</c>, <c>Finset.Icc a b</c>, a variable…</param>
/// <param name="Body">The summand; the node has its type.</param>
public sealed record BigOperatorExpr(BigOperator Operator, string Index, FormalType IndexType, FormalExpr Domain, FormalExpr Body)
    : FormalExpr(Body?.Type ?? throw new ArgumentNullException(nameof(Body)));

/// <summary>A set-builder <c>{ x : T | p x }</c>, of type <c>Set T</c>.</summary>
/// <param name="Variable">The bound variable's name.</param>
/// <param name="ElementType">The element type <c>T</c>.</param>
/// <param name="Predicate">The proposition that defines membership.</param>
public sealed record SetBuilderExpr(string Variable, FormalType ElementType, FormalExpr Predicate)
    : FormalExpr(FormalType.Set(ElementType ?? throw new ArgumentNullException(nameof(ElementType))));

/// <summary><c>Finset.filter (fun x : T =&gt; p x) s</c>: the elements of a finite set that satisfy a predicate, of type <c>Finset T</c>.</summary>
/// <param name="Variable">The predicate's bound variable.</param>
/// <param name="ElementType">The element type <c>T</c>.</param>
/// <param name="Predicate">The proposition kept elements satisfy.</param>
/// <param name="Source">The finite set filtered, of type <c>Finset T</c>.</param>
public sealed record FilterExpr(string Variable, FormalType ElementType, FormalExpr Predicate, FormalExpr Source)
    : FormalExpr(FormalType.Finset(ElementType ?? throw new ArgumentNullException(nameof(ElementType))));
