namespace Planning.Provers.Formal;

/// <summary>The binary arithmetic operators of <see cref="ArithmeticExpr"/>, with Lean 4's precedences.</summary>
public enum NumericOperator
{
    /// <summary><c>a + b</c> (precedence 65, left-associative).</summary>
    Add,

    /// <summary><c>a - b</c> (precedence 65, left-associative); truncated at 0 on ℕ and NNReal.</summary>
    Subtract,

    /// <summary><c>a * b</c> (precedence 70, left-associative).</summary>
    Multiply,

    /// <summary><c>a / b</c> (precedence 70, left-associative); floor division on ℕ, Lean's <c>Int.div</c> on ℤ, <c>x / 0 = 0</c>.</summary>
    Divide,

    /// <summary><c>a % b</c> (precedence 70, left-associative).</summary>
    Modulo,

    /// <summary>
    /// <c>a ^ b</c> (precedence 75, right-associative). The exponent is elaborated on its own, so its type may differ
    /// from the base's: a numeral exponent is ℕ (<c>Monoid.npow</c>), a ℤ exponent is <c>zpow</c>, an ℝ one <c>rpow</c>.
    /// </summary>
    Power,
}

/// <summary>The binary relations of <see cref="RelationExpr"/>; all have Lean 4 precedence 50 and do not associate.</summary>
public enum RelationOperator
{
    /// <summary><c>a = b</c>.</summary>
    Equal,

    /// <summary><c>a ≠ b</c>.</summary>
    NotEqual,

    /// <summary><c>a &lt; b</c>.</summary>
    Less,

    /// <summary><c>a ≤ b</c>.</summary>
    LessEqual,

    /// <summary><c>a &gt; b</c>, kept apart from <see cref="Less"/> so that the statement prints as written.</summary>
    Greater,

    /// <summary><c>a ≥ b</c>.</summary>
    GreaterEqual,

    /// <summary>Divisibility <c>a ∣ b</c> (<c>Dvd.dvd</c>).</summary>
    Divides,

    /// <summary>Membership <c>a ∈ S</c> in a <c>Set</c> or <c>Finset</c>.</summary>
    Member,

    /// <summary>Non-membership <c>a ∉ S</c>.</summary>
    NotMember,
}

/// <summary>The binary connectives of <see cref="LogicalExpr"/>.</summary>
public enum LogicalOperator
{
    /// <summary><c>p ∧ q</c> (precedence 35, right-associative).</summary>
    And,

    /// <summary><c>p ∨ q</c> (precedence 30, right-associative).</summary>
    Or,

    /// <summary><c>p → q</c> (precedence 25, right-associative).</summary>
    Implies,

    /// <summary><c>p ↔ q</c> (precedence 20, not associative).</summary>
    Iff,
}

/// <summary>The quantifiers of <see cref="QuantifierExpr"/>.</summary>
public enum Quantifier
{
    /// <summary><c>∀ x : T, p</c>.</summary>
    ForAll,

    /// <summary><c>∃ x : T, p</c>.</summary>
    Exists,

    /// <summary><c>∃! x : T, p</c>: exactly one.</summary>
    ExistsUnique,
}

/// <summary>The big operators of <see cref="BigOperatorExpr"/>.</summary>
public enum BigOperator
{
    /// <summary><c>∑ i in s, f i</c> (<c>Finset.sum</c>).</summary>
    Sum,

    /// <summary><c>∏ i in s, f i</c> (<c>Finset.prod</c>).</summary>
    Product,
}
