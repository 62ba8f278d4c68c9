namespace Planning.Provers.Lean;

/// <summary>
/// The kinds of token in a Lean 4 statement. Where Lean accepts both a Unicode and an ASCII spelling,
/// both give the same kind; <see cref="LeanToken.Text"/> keeps what was written.
/// </summary>
/// <remarks>
/// The number types <c>ℕ ℤ ℚ ℝ ℂ</c> (and <c>Nat Int Rat Real Complex</c>) get kinds of their own rather
/// than <see cref="Identifier"/>, so that a parser can compare them without knowing the spellings. Only the
/// bare name counts: <c>Real.sqrt</c> and <c>Nat.gcd</c> are identifiers.
/// </remarks>
internal enum LeanTokenKind
{
    /// <summary>A name, possibly dotted: <c>x</c>, <c>h₀</c>, <c>x'</c>, <c>σ</c>, <c>Real.sqrt</c>, <c>Finset.Icc</c>, <c>Not</c>.</summary>
    Identifier,

    /// <summary>A natural-number literal: <c>0</c>, <c>2000</c>.</summary>
    NatLiteral,

    /// <summary>A decimal or scientific literal: <c>0.5</c>, <c>2.5e3</c>.</summary>
    DecimalLiteral,

    /// <summary>The natural numbers: <c>ℕ</c> or <c>Nat</c>.</summary>
    NatType,

    /// <summary>The integers: <c>ℤ</c> or <c>Int</c>.</summary>
    IntType,

    /// <summary>The rationals: <c>ℚ</c> or <c>Rat</c>.</summary>
    RatType,

    /// <summary>The reals: <c>ℝ</c> or <c>Real</c>.</summary>
    RealType,

    /// <summary>The complex numbers: <c>ℂ</c> or <c>Complex</c>.</summary>
    ComplexType,

    /// <summary>The keyword <c>theorem</c>.</summary>
    Theorem,

    /// <summary>The keyword <c>lemma</c>.</summary>
    Lemma,

    /// <summary>The keyword <c>fun</c>, or <c>λ</c>.</summary>
    Fun,

    /// <summary>The keyword <c>by</c>.</summary>
    By,

    /// <summary>The keyword <c>let</c>.</summary>
    Let,

    /// <summary>The keyword <c>have</c>.</summary>
    Have,

    /// <summary>The keyword <c>show</c>.</summary>
    Show,

    /// <summary>The keyword <c>from</c>.</summary>
    From,

    /// <summary>The keyword <c>in</c>, as in <c>∑ k in S, f k</c>.</summary>
    In,

    /// <summary>The universal quantifier: <c>∀</c> or <c>forall</c>.</summary>
    ForAll,

    /// <summary>The existential quantifier: <c>∃</c> or <c>exists</c>.</summary>
    Exists,

    /// <summary>The unique-existence quantifier <c>∃!</c>.</summary>
    ExistsUnique,

    /// <summary>Implication and function types: <c>→</c> or <c>-&gt;</c>.</summary>
    Arrow,

    /// <summary>If and only if: <c>↔</c> or <c>&lt;-&gt;</c>.</summary>
    Iff,

    /// <summary>Conjunction: <c>∧</c> or <c>/\</c>.</summary>
    And,

    /// <summary>Disjunction: <c>∨</c> or <c>\/</c>.</summary>
    Or,

    /// <summary>Negation <c>¬</c>. (The function <c>Not</c> is an <see cref="Identifier"/>; <c>!</c> is <see cref="Bang"/>.)</summary>
    Not,

    /// <summary>Equality <c>=</c>.</summary>
    Equal,

    /// <summary>Disequality: <c>≠</c> or <c>!=</c>.</summary>
    NotEqual,

    /// <summary>Less than <c>&lt;</c>.</summary>
    Less,

    /// <summary>Less than or equal: <c>≤</c> or <c>&lt;=</c>.</summary>
    LessEqual,

    /// <summary>Greater than <c>&gt;</c>.</summary>
    Greater,

    /// <summary>Greater than or equal: <c>≥</c> or <c>&gt;=</c>.</summary>
    GreaterEqual,

    /// <summary>Congruence <c>≡</c>, as in <c>a ≡ 2 [MOD 3]</c>.</summary>
    Congruent,

    /// <summary>Addition <c>+</c>.</summary>
    Plus,

    /// <summary>Subtraction or negation <c>-</c>.</summary>
    Minus,

    /// <summary>Multiplication <c>*</c>.</summary>
    Star,

    /// <summary>Division <c>/</c>.</summary>
    Slash,

    /// <summary>Rational construction <c>/.</c>, as in <c>25 /. 11</c>.</summary>
    RatSlash,

    /// <summary>Remainder <c>%</c>.</summary>
    Percent,

    /// <summary>Power <c>^</c>.</summary>
    Caret,

    /// <summary>The postfix inverse <c>⁻¹</c>.</summary>
    Inverse,

    /// <summary>The preimage <c>⁻¹'</c>, as in <c>f ⁻¹' {7}</c>.</summary>
    Preimage,

    /// <summary>The image <c>''</c>, as in <c>f '' S</c>.</summary>
    Image,

    /// <summary>
    /// <c>!</c>: in miniF2F the factorial (<c>20!</c>, <c>i !</c>), in Lean also Boolean negation; it is not
    /// normalised to <see cref="Not"/>. Directly after a name it is part of the name, as in Lean (<c>n!</c> is one identifier).
    /// </summary>
    Bang,

    /// <summary>Divisibility <c>∣</c> (U+2223), distinct from the bar <c>|</c>.</summary>
    Divides,

    /// <summary>The bar <c>|</c>: absolute value <c>|x|</c> and set-builder notation <c>{ x | p x }</c>.</summary>
    Bar,

    /// <summary>The double bar <c>‖</c> (U+2016) of the norm <c>‖x‖</c>.</summary>
    NormBar,

    /// <summary>The coercion arrow <c>↑</c>.</summary>
    Coercion,

    /// <summary>The square root prefix <c>√</c>.</summary>
    Sqrt,

    /// <summary>The big sum <c>∑</c>.</summary>
    BigSum,

    /// <summary>The big product <c>∏</c>.</summary>
    BigProduct,

    /// <summary>Membership <c>∈</c>.</summary>
    Member,

    /// <summary>Non-membership <c>∉</c>.</summary>
    NotMember,

    /// <summary>Strict subset <c>⊂</c>.</summary>
    Subset,

    /// <summary>Subset <c>⊆</c>.</summary>
    SubsetEqual,

    /// <summary>Intersection <c>∩</c>.</summary>
    Intersection,

    /// <summary>Union <c>∪</c>.</summary>
    Union,

    /// <summary>Set difference <c>\</c>, as in <c>S \ {u}</c>.</summary>
    SetMinus,

    /// <summary>Scalar multiplication <c>•</c>.</summary>
    Smul,

    /// <summary>An opening parenthesis <c>(</c>.</summary>
    LeftParen,

    /// <summary>A closing parenthesis <c>)</c>.</summary>
    RightParen,

    /// <summary>An opening bracket <c>[</c>.</summary>
    LeftBracket,

    /// <summary>A closing bracket <c>]</c>.</summary>
    RightBracket,

    /// <summary>An opening brace <c>{</c>.</summary>
    LeftBrace,

    /// <summary>A closing brace <c>}</c>.</summary>
    RightBrace,

    /// <summary>An opening anonymous-constructor bracket <c>⟨</c>.</summary>
    LeftAngle,

    /// <summary>A closing anonymous-constructor bracket <c>⟩</c>.</summary>
    RightAngle,

    /// <summary>An opening floor bracket <c>⌊</c>.</summary>
    LeftFloor,

    /// <summary>A closing floor bracket <c>⌋</c>.</summary>
    RightFloor,

    /// <summary>An opening ceiling bracket <c>⌈</c>.</summary>
    LeftCeil,

    /// <summary>A closing ceiling bracket <c>⌉</c>.</summary>
    RightCeil,

    /// <summary>A comma <c>,</c>.</summary>
    Comma,

    /// <summary>A colon <c>:</c>.</summary>
    Colon,

    /// <summary>The definition sign <c>:=</c>.</summary>
    ColonEquals,

    /// <summary>The arrow after a binder in <c>fun x =&gt; e</c>: <c>=&gt;</c> or <c>↦</c>.</summary>
    MapsTo,

    /// <summary>The anonymous-function dot <c>·</c> (U+00B7), as in <c>(· ≠ ·)</c>.</summary>
    CenterDot,

    /// <summary>
    /// A dot <c>.</c> that is not inside a dotted name: a projection after a closing bracket or before
    /// a number, as in <c>(s).toFinset</c> or <c>σ.1</c>.
    /// </summary>
    Dot,

    /// <summary>The hole <c>_</c> on its own, as in <c>(_ : x ≠ 0)</c>; <c>_x</c> is an identifier.</summary>
    Hole,
}
