using System.Collections.Immutable;
using System.Numerics;

using Planning.Provers.Lean;

namespace Planning.Provers.Formal;

/// <summary>The binary operators of the surface syntax.</summary>
internal enum SyntaxOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Power,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Divides,
    Member,
    NotMember,
    And,
    Or,
    Arrow,
    Iff,
}

/// <summary>An untyped node of the surface syntax, as parsed, before elaboration.</summary>
/// <param name="Position">The node's first token.</param>
internal abstract record Syntax(SourcePosition Position);

/// <summary>A name, possibly dotted (<c>x</c>, <c>Real.sqrt</c>, <c>S.card</c>).</summary>
internal sealed record NameSyntax(SourcePosition Position, string Name) : Syntax(Position);

/// <summary>A natural-number literal.</summary>
internal sealed record NumberSyntax(SourcePosition Position, BigInteger Value) : Syntax(Position);

/// <summary>A decimal or scientific literal, <c>Mantissa × 10^Exponent</c>.</summary>
internal sealed record ScientificSyntax(SourcePosition Position, BigInteger Mantissa, int Exponent) : Syntax(Position);

/// <summary>A number type written as a term: <c>ℕ</c>, <c>ℝ</c>, <c>ℝ≥0</c>.</summary>
internal sealed record TypeAtomSyntax(SourcePosition Position, FormalType Type) : Syntax(Position);

/// <summary>A binary operator application; <see cref="Syntax.Position"/> is the left operand's, <paramref name="OperatorPosition"/> the operator's.</summary>
internal sealed record BinarySyntax(SourcePosition Position, SyntaxOperator Operator, Syntax Left, Syntax Right, SourcePosition OperatorPosition)
    : Syntax(Position);

/// <summary>Negation <c>-x</c>.</summary>
internal sealed record NegateSyntax(SourcePosition Position, Syntax Operand) : Syntax(Position);

/// <summary>Logical negation <c>¬p</c>.</summary>
internal sealed record NotSyntax(SourcePosition Position, Syntax Operand) : Syntax(Position);

/// <summary>A coercion arrow <c>↑x</c>.</summary>
internal sealed record CoercionSyntax(SourcePosition Position, Syntax Operand) : Syntax(Position);

/// <summary>A library function written with notation (<c>√x</c>, <c>|x|</c>, <c>⌊x⌋</c>, <c>n !</c>, <c>x⁻¹</c>, <c>a ≡ b [MOD n]</c>).</summary>
internal sealed record NotationSyntax(SourcePosition Position, FormalFunction Function, ImmutableArray<Syntax> Arguments) : Syntax(Position);

/// <summary>An application <c>f a b</c>.</summary>
internal sealed record ApplicationSyntax(SourcePosition Position, Syntax Head, ImmutableArray<Syntax> Arguments) : Syntax(Position);

/// <summary>A numeric projection <c>σ.1</c> or <c>σ.2</c> (of an <c>Equiv</c>: its function and its inverse).</summary>
internal sealed record ProjectionSyntax(SourcePosition Position, Syntax Target, int Index, SourcePosition IndexPosition) : Syntax(Position);

/// <summary>A field access <c>(e).name</c> after a closing bracket.</summary>
internal sealed record FieldSyntax(SourcePosition Position, Syntax Target, string Field, SourcePosition FieldPosition) : Syntax(Position);

/// <summary>A type ascription <c>(e : T)</c>.</summary>
internal sealed record AscriptionSyntax(SourcePosition Position, Syntax Inner, Syntax TypeSyntax) : Syntax(Position);

/// <summary>One binder group of a quantifier: names with an optional type (which may be a proposition: <c>(_ : y ≠ 0)</c>).</summary>
internal sealed record BinderSyntax(SourcePosition Position, ImmutableArray<(string Name, SourcePosition Position)> Names, Syntax? TypeSyntax);

/// <summary>A quantifier with its binder groups (binder predicates already expanded into the body).</summary>
internal sealed record QuantifierSyntax(SourcePosition Position, Quantifier Quantifier, ImmutableArray<BinderSyntax> Binders, Syntax Body)
    : Syntax(Position);

/// <summary>A big operator <c>∑ i : T in s, f</c>.</summary>
internal sealed record BigOperatorSyntax(
    SourcePosition Position, BigOperator Operator, string Index, SourcePosition IndexPosition, Syntax? IndexType, Syntax Domain, Syntax Body)
    : Syntax(Position);

/// <summary>A set-builder <c>{ x : T | p }</c>; <see cref="Literal"/> when it stands for a literal <c>{a, b}</c>.</summary>
internal sealed record SetBuilderSyntax(SourcePosition Position, string Variable, SourcePosition VariablePosition, Syntax? VariableType, Syntax Body)
    : Syntax(Position)
{
    /// <summary>Whether the set was written as a literal <c>{a, b, c}</c> (its body is then <c>x = a ∨ x = b ∨ x = c</c>).</summary>
    public bool Literal { get; init; }

    /// <summary>The members of a literal, in order (empty for a set-builder).</summary>
    public ImmutableArray<Syntax> Items { get; init; } = [];
}

/// <summary>A relation written as a section, <c>(· ≠ ·)</c>: read only as the relation of <c>List.Pairwise</c>.</summary>
internal sealed record RelationSectionSyntax(SourcePosition Position, SyntaxOperator Operator) : Syntax(Position);

/// <summary>A list literal <c>[a, b, c]</c>.</summary>
internal sealed record ListSyntax(SourcePosition Position, ImmutableArray<Syntax> Items) : Syntax(Position);

/// <summary>A lambda <c>fun x : T =&gt; e</c> with one variable.</summary>
internal sealed record LambdaSyntax(SourcePosition Position, string Variable, SourcePosition VariablePosition, Syntax? VariableType, Syntax Body)
    : Syntax(Position);

/// <summary>A binder of the theorem: <c>(x y : T)</c> or <c>{x : T}</c>.</summary>
internal sealed record TheoremBinderSyntax(SourcePosition Position, ImmutableArray<(string Name, SourcePosition Position)> Names, Syntax TypeSyntax);

/// <summary>A whole theorem statement.</summary>
internal sealed record TheoremSyntax(string Name, ImmutableArray<TheoremBinderSyntax> Binders, Syntax Conclusion);

/// <summary>The type <c>ℕ+</c> (positive naturals); only a theorem binder's type elaborates (as ℕ with a positivity hypothesis).</summary>
internal sealed record PositiveNatSyntax(SourcePosition Position) : Syntax(Position);

/// <summary>A tuple <c>(a, b, c)</c>: Lean's nested <c>Prod.mk</c>; only an equation between two tuples elaborates (component-wise).</summary>
internal sealed record TupleSyntax(SourcePosition Position, ImmutableArray<Syntax> Items) : Syntax(Position);

/// <summary><c>Finset.filter (fun x =&gt; p) s</c>, recognised from the application.</summary>
internal sealed record FilterSyntax(SourcePosition Position, LambdaSyntax Predicate, Syntax Source) : Syntax(Position);
