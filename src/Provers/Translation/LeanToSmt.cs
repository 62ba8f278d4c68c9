using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;

using Planning.Provers.Evaluation;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Translation;

/// <summary>
/// Translates a typed Lean statement (<see cref="FormalStatement"/>) into SMT terms with Lean's semantics rather than
/// naive ones. Rules:
/// <list type="bullet">
/// <item><description>Sorts: ℕ and ℤ become Int, ℝ, NNReal and ℚ become Real; every ℕ variable (free or bound) gets the side
/// condition <c>x ≥ 0</c>, every NNReal variable <c>x ≥ 0</c>. A free ℚ variable ranges over ℝ (a proof for all reals holds
/// for all rationals), a bound one is unsupported. Function and set variables are uninterpreted function symbols
/// (<c>FunctionSymbol</c>); Equiv and Prop variables are unsupported.</description></item>
/// <item><description>ℂ is ℝ² (exact, so no new rule for <c>equivalent</c>): a ℂ variable <c>z</c> is two Real variables, the real
/// part under the statement's name <c>z</c> and the imaginary part <c>z.im</c>, listed with the fresh variables (its
/// constraint, always true, mentions both parts, so a check shares the imaginary parts of aligned variables); a ℂ binder
/// is two real binders. A ℂ expression is a pair (<see cref="ComplexTerm"/>): numerals and casts from ℕ/ℤ/ℚ/ℝ (imaginary
/// part 0), <c>Complex.I = (0, 1)</c>, <c>+ - *</c>, negation, <c>^</c> with an exponent that is a literal (at most 64, or
/// 4096 for a constant base, which folds; after unrolling a ∑ counts; a negative ℤ one inverts), <c>w⁻¹ = (re·r, -im·r)</c> with <c>r</c> a fresh
/// <c>(normSq w)⁻¹</c> (<c>n = 0 → r = 0</c>, <c>n ≠ 0 → n·r = 1</c>, so <c>0⁻¹ = 0</c>), <c>z / w = z·w⁻¹</c>, ∑/∏ over
/// literal domains; <c>Complex.normSq z = re² + im²</c>, <c>z.re</c>, <c>z.im</c>, <c>Complex.abs z = √(normSq z)</c>
/// (<c>Real.sqrt</c>'s encoding); <c>=</c>/<c>≠</c> part by part. Function variables into or out of ℂ, symbolic powers,
/// order on ℂ are unsupported.</description></item>
/// <item><description><c>ZMod n</c> (literal n) is a residue: an Int in <c>[0, n)</c> (side condition of variables, premise or
/// conjunct of binders); numerals and ℕ/ℤ casts are taken mod n (Euclidean), <c>+ - *</c>, negation and ∑/∏ over literal
/// domains are reduced mod n, <c>^</c> with a literal exponent reduced after each multiplication (<c>ModPow</c> for a
/// literal base), <c>=</c>/<c>≠</c> compare residues. <c>x⁻¹</c> and <c>y / x = y·x⁻¹</c> only when <c>x</c> folds to a
/// literal: its inverse mod n when coprime with n, <c>0⁻¹ = 0</c>, otherwise unsupported (Mathlib's inverse of a
/// non-unit is a Bézout coefficient, and of a non-literal no function SMT knows). Order, <c>∣</c>, Even/Odd and casts out
/// of ZMod are unsupported.</description></item>
/// <item><description>Literals: numerals at ℕ/ℤ are Int literals, at ℚ/ℝ Real literals; a decimal <c>m × 10^e</c> is the exact rational.</description></item>
/// <item><description>ℕ subtraction is truncated: <c>a - b = ite(a ≥ b, a - b, 0)</c>.</description></item>
/// <item><description>ℕ and ℤ division and remainder are Lean's <c>Int.ediv</c>/<c>Int.emod</c> (Euclidean, which is what
/// SMT-LIB <c>div</c>/<c>mod</c> compute): <c>x / y = ite(y = 0, 0, div x y)</c>, <c>x % y = ite(y = 0, x, mod x y)</c>;
/// on ℕ this is floor division. <c>a ^ n % m</c> with a literal base, a literal exponent of any size and a literal
/// <c>m ≠ 0</c> (also inside <c>≡ [MOD m]</c>) is computed by <c>BigInteger.ModPow</c>, shifted into <c>[0, |m|)</c>.</description></item>
/// <item><description>Real (and ℚ) division by zero is zero: <c>x / y = ite(y = 0, 0, x / y)</c>; <c>x⁻¹ = ite(x = 0, 0, 1 / x)</c>.</description></item>
/// <item><description><c>^</c> with a literal natural exponent (at most 64) is expanded into a product (<c>x^0 = 1</c>); with
/// another ℕ exponent it is an uninterpreted <c>pow</c> with ground facts (<c>NaturalPower</c>), with a real one
/// <c>Real.rpow</c> (<c>RealPower</c>; exponent 1/2 is <c>Real.sqrt</c>).</description></item>
/// <item><description><c>Real.sqrt x</c> is a fresh variable <c>s</c> with <c>s ≥ 0 ∧ (x ≥ 0 → s·s = x) ∧ (x &lt; 0 → s = 0)</c>;
/// at top level the constraint is a side condition; under <c>∃</c> it is <c>∃ s, constraint ∧ body</c> and under <c>∀</c>
/// <c>∀ s, constraint → body</c> (both equivalent to the body at the unique <c>s</c> the constraint determines; binding
/// <c>s</c> like the enclosing binder keeps one quantifier block, so a refutation query gets <c>s</c> as a plain constant
/// with its definition as a fact instead of a universally quantified disjunction Z3 cannot instantiate).</description></item>
/// <item><description>Casts ℕ/ℤ → ℝ/ℚ are <c>to_real</c>; ℕ → ℤ and NNReal → ℝ are the identity.</description></item>
/// <item><description><c>|x|</c>, <c>min</c>, <c>max</c>, <c>Int.natAbs</c>, <c>Int.toNat</c> are <c>ite</c>s; <c>Nat.succ n = n + 1</c>;
/// <c>⌊x⌋ = to_int x</c>, <c>⌈x⌉ = -to_int(-x)</c>, <c>Nat.floor x = max(⌊x⌋, 0)</c>, <c>Nat.ceil x = max(⌈x⌉, 0)</c>.</description></item>
/// <item><description><c>a ∣ b</c> on ℕ/ℤ: for a literal <c>a ≠ 0</c> it is <c>b mod |a| = 0</c>, for <c>a = 0</c> it is <c>b = 0</c>,
/// otherwise <c>∃ k : Int, b = a·k</c>. <c>Even x</c>/<c>Odd x</c> on ℕ/ℤ are <c>x mod 2 = 0</c>/<c>= 1</c>;
/// <c>a ≡ b [MOD n]</c> is <c>a % n = b % n</c> with Lean's <c>%</c>.</description></item>
/// <item><description><c>x ∈ Finset.range n</c>, <c>Finset.Icc/Ico/Ioc/Ioo a b</c> are the bound comparisons.</description></item>
/// <item><description><c>∑</c>/<c>∏</c> over <c>Finset.range n</c>, the intervals with literal bounds, divisors of a literal and
/// filters of them (at most 1000 terms) are unrolled (empty sum 0, empty product 1; a filtered-out term is 0 or 1);
/// with symbolic bounds a recursive symbol (<c>SymbolicBigOperator</c>), over other sets an opaque one
/// (<c>OpaqueBigOperator</c>).</description></item>
/// <item><description><c>∀</c>/<c>∃</c> with ℕ, ℤ, ℝ or NNReal binders; a ℕ binder adds <c>x ≥ 0</c> as premise (∀) or conjunct (∃).</description></item>
/// <item><description><c>^</c> with a literal base and a literal exponent (at most 4096) is computed exactly.</description></item>
/// <item><description><c>Nat.Prime p</c> is <c>p ≥ 2 ∧ ∀ a b ≥ 0, a·b = p → a = 1 ∨ b = 1</c>.</description></item>
/// <item><description><c>Nat.gcd a b</c> is a fresh <c>g ≥ 0</c> with <c>g ∣ a ∧ g ∣ b ∧ ∀ d, d ∣ a ∧ d ∣ b → d ∣ g</c>;
/// <c>Nat.lcm a b</c> a fresh <c>l ≥ 0</c> with <c>a ∣ l ∧ b ∣ l ∧ ∀ m, a ∣ m ∧ b ∣ m → l ∣ m</c> (so gcd 0 0 = 0 and
/// lcm 0 b = 0, as in Lean); the constraints are placed like those of <c>Real.sqrt</c>. When an argument is a literal
/// <c>n</c> or the arguments differ by a constant <c>c</c> (<c>gcd a b = gcd b |c|</c>, Euclid's step), the encoding
/// is quantifier-free instead: <c>gcd a n</c> is the largest divisor <c>d</c> of <c>n</c> with <c>a mod d = 0</c> and
/// <c>lcm a n = a·(n / gcd a n)</c>, as an <c>ite</c> chain over the divisors.</description></item>
/// <item><description><c>n!</c> and <c>Nat.choose</c> on literals are computed; <c>True</c>/<c>False</c> are literals.</description></item>
/// <item><description><c>Irrational x</c> is <c>∀ p q : Int, q ≥ 1 → x·q ≠ p</c>; <c>A = B</c> on sets or finsets is
/// extensionality, <c>∀ x, x ∈ A ↔ x ∈ B</c>.</description></item>
/// </list>
/// Transcendental functions are uninterpreted symbols with ground facts (<c>Transcendental</c>); everything else
/// (ℤ gcd, ∃!, <c>Complex.I ^ k</c>, a ZMod inverse of a non-literal, Rat.den, ...) is reported as
/// <c>unsupported: &lt;construct&gt;</c>.
/// </summary>
internal static partial class LeanToSmt
{
    private const int MaxExponent = 64;
    private const int MaxLiteralExponent = 4096;

    /// <summary>
    /// The largest literal exponent of a ℂ term that is not a constant: powers are built by repeated squaring (eight
    /// squarings reach 256), so their size grows with the exponent's bits, where a real power's repeated product grows
    /// with the exponent itself. amc12a_2019_p21 sums z ^ k ^ 2 up to k = 12 (144).
    /// </summary>
    private const int MaxComplexExponent = 256;
    private const int MaxUnrolled = 1000;
    private const int MaxDivisors = 256;

    /// <summary>Translates a statement, throwing <see cref="TranslationException"/> for an unsupported construct.</summary>
    /// <param name="statement">The typed Lean statement.</param>
    /// <returns>The translation.</returns>
    /// <exception cref="TranslationException">The statement uses a construct that cannot be translated faithfully.</exception>
    public static TranslatedStatement Translate(FormalStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        try
        {
            return new Translator().Run(statement);
        }
        catch (ArgumentException exception)
        {
            throw new TranslationException("ill-sorted term", exception);
        }
    }

    /// <summary>
    /// Translates a statement with some of its variables fixed: each variable in <paramref name="values"/> becomes the
    /// literal (its SMT variable stays in <see cref="TranslatedStatement.Variables"/>, unused). Fixing values before
    /// translating lets value-dependent encodings apply (<c>Nat.gcd (6n + k) (6n + 3)</c> at <c>k = 5</c> differs by a
    /// constant), which is how a candidate model of quantified hypotheses is checked.
    /// </summary>
    /// <param name="statement">The typed Lean statement.</param>
    /// <param name="values">Values by variable name; a value outside its variable's type (a fraction for ℕ or ℤ, a negative number for ℕ or NNReal) is an error.</param>
    /// <returns>The translation.</returns>
    /// <exception cref="TranslationException">The statement uses a construct that cannot be translated faithfully, or a value does not fit its variable.</exception>
    internal static TranslatedStatement TranslateAt(FormalStatement statement, IReadOnlyDictionary<string, Evaluation.Rational> values)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(values);
        try
        {
            return new Translator(values).Run(statement);
        }
        catch (ArgumentException exception)
        {
            throw new TranslationException("ill-sorted term", exception);
        }
    }

    /// <summary><see cref="TranslateAt"/> without throwing: null when the statement or a value cannot be translated.</summary>
    internal static TranslatedStatement? TryTranslateAt(FormalStatement statement, IReadOnlyDictionary<string, Evaluation.Rational> values)
    {
        try
        {
            return TranslateAt(statement, values);
        }
        catch (TranslationException)
        {
            return null;
        }
    }

    /// <summary>Translates a statement without throwing; the result carries either the translation or the unsupported construct.</summary>
    /// <param name="statement">The typed Lean statement.</param>
    /// <returns>The translation or the reason.</returns>
    public static TranslationResult TryTranslate(FormalStatement statement)
    {
        try
        {
            return new TranslationResult(Translate(statement), null);
        }
        catch (TranslationException exception)
        {
            return new TranslationResult(null, exception);
        }
    }

    private sealed partial class Translator
    {
        private readonly Dictionary<string, Term> _environment = new(StringComparer.Ordinal);

        // ℂ names (statement variables and binders) with their (re, im) pairs; scoped with _environment (see Scoped).
        private readonly Dictionary<string, ComplexTerm> _complexEnvironment = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
        private List<(Variable Variable, Term Constraint)> _fresh = [];

        // Function variables with ℂ in their type: the symbol of the real part (also the name's _environment entry, so
        // that a binder of the same name hides it) and that of the imaginary part when the values are in ℂ.
        private readonly Dictionary<string, (Variable Re, Variable? Im)> _complexFunctions = new(StringComparer.Ordinal);

        // Rat.num and Rat.den pairs made in a scope (the _fresh list they were added to), by the SMT-LIB text of the ℚ term.
        private readonly List<(List<(Variable Variable, Term Constraint)> Scope, string Key, Variable Numerator, Variable Denominator)> _fractions = [];

        // Function variables defined by a hypothesis ∀ x…, f x… = e (e without f): parameters and body; and the statement
        // variables' own terms, to tell when a body's free names are shadowed at an application.
        private readonly Dictionary<string, (ImmutableArray<string> Parameters, FormalExpr Body)> _definitions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Term> _topLevel = new(StringComparer.Ordinal);
        private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);

        // The top-level list of fresh variables (_fresh is swapped under binders), for constants such as π.
        private readonly List<(Variable Variable, Term Constraint)> _topFresh;

        // The transcendental applications of the current scope (symbol, value, argument), for the axioms that relate two
        // of them (monotonicity, sin² + cos² = 1), and the real inverses of ℂ inversion, reused for the same term; scoped
        // like _fresh.
        private List<(string Symbol, Variable Value, Term Argument)> _calls = [];
        private readonly IReadOnlyDictionary<string, Evaluation.Rational>? _values;
        private int _counter;


        // Real.pi's fresh variable at top level, reused by every occurrence (it is a constant).
        private Variable? _pi;

        public Translator(IReadOnlyDictionary<string, Evaluation.Rational>? values = null)
        {
            _values = values;
            _topFresh = _fresh;
        }

        public TranslatedStatement Run(FormalStatement statement)
        {
            List<Variable> variables = [];
            List<Term> side = [];
            foreach (FormalVariable variable in statement.Variables.IsDefault ? [] : statement.Variables)
            {
                _usedNames.Add(variable.Name);
            }

            foreach (FormalVariable variable in statement.Variables.IsDefault ? [] : statement.Variables)
            {
                if (variable.Type is { Kind: FormalTypeKind.Function } function
                    && (function.Domain!.Kind == FormalTypeKind.Complex || function.Codomain!.Kind == FormalTypeKind.Complex))
                {
                    variables.AddRange(ComplexFunction(variable.Name, function));
                    continue;
                }

                if (variable.Type.Kind is FormalTypeKind.Function or FormalTypeKind.Set or FormalTypeKind.Finset)
                {
                    Variable symbol = FunctionSymbol(variable.Name, variable.Type);
                    _environment[variable.Name] = symbol;
                    variables.Add(symbol);
                    continue;
                }

                if (variable.Type.Kind == FormalTypeKind.Complex)
                {
                    variables.Add(ComplexVariable(variable.Name));
                    continue;
                }

                Variable smt = new(variable.Name, SortOf(variable.Type));
                _environment[variable.Name] = _values is not null && _values.TryGetValue(variable.Name, out Evaluation.Rational value)
                    ? Fixed(variable.Type, value, variable.Name)
                    : smt;
                variables.Add(smt);
                if (RangeCondition(variable.Type, smt) is Term range)
                {
                    side.Add(range);
                }
            }

            foreach (FormalVariable variable in statement.Variables.IsDefault ? [] : statement.Variables)
            {
                if (_environment.TryGetValue(variable.Name, out Term? own))
                {
                    _topLevel[variable.Name] = own;
                }
            }

            foreach (FormalHypothesis hypothesis in statement.Hypotheses.IsDefault ? [] : statement.Hypotheses)
            {
                if (Definition(hypothesis.Proposition) is { } definition && !_definitions.ContainsKey(definition.Function))
                {
                    _definitions[definition.Function] = (definition.Parameters, definition.Body);
                }
            }

            List<Term> hypotheses = [];
            foreach (FormalHypothesis hypothesis in statement.Hypotheses.IsDefault ? [] : statement.Hypotheses)
            {
                hypotheses.Add(Formula(hypothesis.Proposition));
            }

            Term conclusion = Formula(statement.Conclusion);
            foreach ((Variable variable, Term constraint) in _fresh)
            {
                variables.Add(variable);
                side.Add(constraint);
            }

            return new TranslatedStatement(statement.Name, [.. variables], [.. side], [.. hypotheses], conclusion);
        }

        /// <summary>The literal a fixed variable becomes; a value outside the variable's type (a fraction for ℕ or ℤ, a negative number for ℕ or NNReal) is an error, never a literal that would make the side conditions vacuous.</summary>
        private static Term Fixed(FormalType type, Evaluation.Rational value, string name)
        {
            if (RangeCondition(type, Int(0)) is not null && value.Numerator.Sign < 0)
            {
                throw new TranslationException("negative value for " + name);
            }

            if (type.Kind == FormalTypeKind.ZMod && value >= Translator.LiteralModulus(type))
            {
                throw new TranslationException("value outside ZMod " + type.Modulus.ToString(CultureInfo.InvariantCulture) + " for " + name);
            }

            if (SortOf(type) == SmtSort.IntSort)
            {
                return value.IsInteger ? Int(value.Numerator) : throw new TranslationException("non-integer value for " + name);
            }

            return new RealLiteral(value.Numerator, value.Denominator);
        }

        private static SmtSort SortOf(FormalType type)
        {
            return type.Kind switch
            {
                FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.ZMod => SmtSort.IntSort,
                FormalTypeKind.Real or FormalTypeKind.NNReal or FormalTypeKind.Rat => SmtSort.RealSort,
                FormalTypeKind.Complex => throw new TranslationException("ℂ"),
                FormalTypeKind.Function => throw new TranslationException("function variable"),
                FormalTypeKind.Equiv => throw new TranslationException("Equiv variable"),
                FormalTypeKind.Set or FormalTypeKind.Finset => throw new TranslationException("set variable"),
                _ => throw new TranslationException("Prop variable"),
            };
        }

        /// <summary>
        /// The uninterpreted function symbol of a function variable (<c>f : ℕ → ℝ → ℝ</c>: arguments Int and Real, result
        /// Real; curried arguments become arguments of one symbol) or the membership predicate of a set variable
        /// (<c>S : Set ℝ</c>: Real to Bool, <c>x ∈ S</c> is <c>S(x)</c>). ℚ ranges as ℝ (the symbol's interpretations include
        /// every ℚ-valued function); a ℕ or NNReal result is clamped where applied (<see cref="Apply"/>).
        /// </summary>
        private static Variable FunctionSymbol(string name, FormalType type)
        {
            if (type.IsCollection)
            {
                return new Variable(name, SmtSort.BoolSort, [ArgumentSort(type.Element!)]);
            }

            ImmutableArray<SmtSort>.Builder domain = ImmutableArray.CreateBuilder<SmtSort>();
            FormalType result = type;
            while (result.Kind == FormalTypeKind.Function)
            {
                domain.Add(ArgumentSort(result.Domain!));
                result = result.Codomain!;
            }

            return new Variable(name, ResultSort(result), domain.ToImmutable());
        }

        private static SmtSort ResultSort(FormalType result) => result.Kind switch
        {
            FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Real or FormalTypeKind.NNReal or FormalTypeKind.Rat => SortOf(result),
            FormalTypeKind.Prop => SmtSort.BoolSort,
            _ => throw new TranslationException("function variable with values in " + result),
        };

        /// <summary>The number of arguments a function type takes (curried).</summary>
        private static int Arity(FormalType type)
        {
            int arity = 0;
            for (FormalType? t = type; t is { Kind: FormalTypeKind.Function }; t = t.Codomain)
            {
                arity++;
            }

            return arity;
        }

        private static SmtSort ArgumentSort(FormalType type)
        {
            return type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Real or FormalTypeKind.NNReal or FormalTypeKind.Rat
                ? SortOf(type)
                : throw new TranslationException("function variable over " + type);
        }

        /// <summary>
        /// A function variable applied: the symbol's application, with a ℕ (NNReal) result clamped at 0 (<c>max(F(a), 0)</c>:
        /// as <c>F</c> ranges over all Int-valued functions, the clamped ones are exactly the ℕ-valued functions, so the
        /// encoding is exact and needs no quantified range axiom).
        /// </summary>
        private Term Apply(ApplyExpr apply)
        {
            if (apply.IsProjection)
            {
                throw new TranslationException("Equiv variable");
            }

            if (!_environment.TryGetValue(apply.Function.Name, out Term? head) || head is not Variable { IsFunction: true } symbol)
            {
                throw new TranslationException("application of a bound function");
            }

            if (_complexFunctions.TryGetValue(apply.Function.Name, out var parts) && ReferenceEquals(parts.Re, symbol))
            {
                // A real value of a function over ℂ (ℂ → ℝ).
                return ComplexApply(apply).Re;
            }

            if (apply.Function.Type.IsCollection || symbol.Domain.Length != apply.Arguments.Length)
            {
                throw new TranslationException("partial application of " + apply.Function.Name);
            }

            ImmutableArray<Term>.Builder arguments = ImmutableArray.CreateBuilder<Term>(apply.Arguments.Length);
            foreach (FormalExpr argument in apply.Arguments)
            {
                arguments.Add(Translate(argument));
            }

            if (Expandable(symbol.Name, out var definition))
            {
                // The definition's body at the arguments (its parameters bound to the arguments' terms): exact, since the
                // hypothesis determines the function; the defining hypothesis itself becomes e = e.
                _expanding.Add(symbol.Name);
                try
                {
                    return Expand(definition.Parameters, arguments.MoveToImmutable(), 0, definition.Body);
                }
                finally
                {
                    _expanding.Remove(symbol.Name);
                }
            }

            Term value = new Application(symbol, arguments.MoveToImmutable());
            return RangeCondition(apply.Type, value) is { } nonNegative ? new IfThenElse(nonNegative, value, Zero(value.Sort)) : value;
        }

        /// <summary>
        /// The defining hypothesis of function variable <paramref name="name"/> when it may be used here: the function is
        /// not already being expanded (a recursive use stays a symbol), and every name its body reads is a parameter or a
        /// statement variable that no binder in scope shadows.
        /// </summary>
        private bool Expandable(string name, out (ImmutableArray<string> Parameters, FormalExpr Body) definition)
        {
            if (!_definitions.TryGetValue(name, out var found) || _expanding.Contains(name))
            {
                definition = default;
                return false;
            }

            definition = found;
            return ExprTree.FreeVariables(found.Body).All(free => found.Parameters.Contains(free)
                || (_topLevel.TryGetValue(free, out Term? own) && _environment.TryGetValue(free, out Term? now) && ReferenceEquals(own, now)));
        }

        private Term Expand(ImmutableArray<string> parameters, ImmutableArray<Term> arguments, int index, FormalExpr body)
        {
            return index == parameters.Length
                ? Translate(body)
                : Scoped(parameters[index], arguments[index], () => Expand(parameters, arguments, index + 1, body));
        }

        /// <summary>
        /// A hypothesis <c>∀ x₁ … xₖ, f x₁ … xₖ = e</c> that defines a function variable <c>f</c> of k arguments everywhere
        /// (distinct parameters in order, <c>e</c> without <c>f</c>): the function's name, parameters and body; else null.
        /// </summary>
        private (string Function, ImmutableArray<string> Parameters, FormalExpr Body)? Definition(FormalExpr proposition)
        {
            List<string> parameters = [];
            while (proposition is QuantifierExpr { Quantifier: Formal.Quantifier.ForAll } quantifier)
            {
                parameters.Add(quantifier.Variable);
                proposition = quantifier.Body;
            }

            // The arity is the function type's (a ℂ argument is two of the symbol's).
            if (proposition is not RelationExpr { Operator: RelationOperator.Equal, Left: ApplyExpr { IsProjection: false } apply } relation
                || parameters.Count == 0 || parameters.Count != apply.Arguments.Length || parameters.Distinct(StringComparer.Ordinal).Count() != parameters.Count
                || !_environment.TryGetValue(apply.Function.Name, out Term? head) || head is not Variable { IsFunction: true }
                || Arity(apply.Function.Type) != parameters.Count)
            {
                return null;
            }

            FormalExpr body = relation.Right;
            for (int i = 0; i < parameters.Count; i++)
            {
                if (apply.Arguments[i] is VariableExpr argument && argument.Name == parameters[i])
                {
                    continue;
                }

                // f (x / 3) = e defines f as well, at y = x / 3: f y = e[x := 3 * y] (an affine map of a field, or a shift
                // of ℤ, is a bijection, so every point is reached once).
                if (parameters.Count == 1 && Inverse(apply.Arguments[0], parameters[0]) is { } inverse)
                {
                    body = ExprTree.Substitute(body, parameters[0], inverse);
                    continue;
                }

                return null;
            }

            return ExprTree.FreeVariables(relation.Right).Contains(apply.Function.Name)
                ? null
                : (apply.Function.Name, [.. parameters], body);
        }

        /// <summary>
        /// For an argument <c>x / c</c>, <c>c * x</c>, <c>x * c</c> (c a non-zero numeral; on ℝ, ℚ and ℂ) or <c>x + c</c>,
        /// <c>x - c</c> (also on ℤ) of parameter <c>x</c>: the term of <c>x</c> that the argument maps to <c>x</c>
        /// (<c>c * x</c> for <c>x / c</c>); else null.
        /// </summary>
        private static ArithmeticExpr? Inverse(FormalExpr argument, string parameter)
        {
            if (argument is not ArithmeticExpr { Left: var left, Right: var right } arithmetic)
            {
                return null;
            }

            bool field = argument.Type.Kind is FormalTypeKind.Real or FormalTypeKind.Rat or FormalTypeKind.Complex;
            bool shiftable = field || argument.Type.Kind == FormalTypeKind.Int;
            static bool IsParameter(FormalExpr e, string name) => e is VariableExpr v && v.Name == name;
            static bool IsNonZero(FormalExpr e) => e is NumeralExpr { Value.IsZero: false } or NegateExpr { Operand: NumeralExpr { Value.IsZero: false } };
            VariableExpr x = new(parameter, argument.Type);
            return arithmetic.Operator switch
            {
                NumericOperator.Divide when field && IsParameter(left, parameter) && IsNonZero(right) => new ArithmeticExpr(NumericOperator.Multiply, right, x),
                NumericOperator.Multiply when field && IsParameter(right, parameter) && IsNonZero(left) => new ArithmeticExpr(NumericOperator.Divide, x, left),
                NumericOperator.Multiply when field && IsParameter(left, parameter) && IsNonZero(right) => new ArithmeticExpr(NumericOperator.Divide, x, right),
                NumericOperator.Add when shiftable && IsParameter(left, parameter) && ExprTree.FreeVariables(right).IsEmpty => new ArithmeticExpr(NumericOperator.Subtract, x, right),
                NumericOperator.Add when shiftable && IsParameter(right, parameter) && ExprTree.FreeVariables(left).IsEmpty => new ArithmeticExpr(NumericOperator.Subtract, x, left),
                NumericOperator.Subtract when shiftable && IsParameter(left, parameter) && ExprTree.FreeVariables(right).IsEmpty => new ArithmeticExpr(NumericOperator.Add, x, right),
                _ => null,
            };
        }

        private static SmtSort ValueSort(FormalType type)
        {
            return type.Kind switch
            {
                FormalTypeKind.Nat or FormalTypeKind.Int => SmtSort.IntSort,
                FormalTypeKind.Real or FormalTypeKind.NNReal or FormalTypeKind.Rat => SmtSort.RealSort,
                FormalTypeKind.Prop => SmtSort.BoolSort,
                FormalTypeKind.Complex => throw new TranslationException("ℂ"),
                FormalTypeKind.ZMod => throw new TranslationException("ZMod"),
                _ => throw new TranslationException("set or function value"),
            };
        }

        /// <summary>The range fact of a variable of the type: <c>x ≥ 0</c> for ℕ and NNReal, <c>0 ≤ x &lt; n</c> for <c>ZMod n</c>; else null.</summary>
        private static Term? RangeCondition(FormalType type, Term term)
        {
            return type.Kind switch
            {
                FormalTypeKind.Nat => Ge(term, Int(0)),
                FormalTypeKind.NNReal => Ge(term, Real(0)),
                FormalTypeKind.ZMod => new Conjunction(Ge(term, Int(0)), new Comparison(ComparisonOperator.Less, term, Int(Translator.LiteralModulus(type)))),
                _ => null,
            };
        }

        private Term Formula(FormalExpr expr)
        {
            Term term = Translate(expr);
            return term.Sort == SmtSort.BoolSort ? term : throw new TranslationException("non-propositional formula");
        }

        private Term Translate(FormalExpr expr)
        {
            switch (expr.Type.Kind)
            {
                case FormalTypeKind.ZMod:
                    return Residue(expr);
                case FormalTypeKind.Complex:
                    // ℂ values are pairs (see Complex); one reaches here only as the operand of something without a ℂ reading.
                    throw new TranslationException("ℂ value as a real or integer");
                default:
                    break;
            }

            return expr switch
            {
                NumeralExpr numeral => Literal(numeral.Value, BigInteger.One, numeral.Type),
                ScientificExpr scientific => Scientific(scientific),
                VariableExpr variable => Lookup(variable),
                CastExpr cast => Cast(cast),
                NegateExpr negate => negate.Type.Kind == FormalTypeKind.Nat
                    ? throw new TranslationException("ℕ negation")
                    : new UnaryMinus(Translate(negate.Operand)),
                ArithmeticExpr arithmetic => Arithmetic(arithmetic),
                CallExpr call => Call(call),
                ApplyExpr apply => Apply(apply),
                RelationExpr relation => Relation(relation),
                LogicalExpr logical => Logical(logical),
                NotExpr not => new LogicalNot(Formula(not.Operand)),
                QuantifierExpr quantifier => Quantifier(quantifier),
                BigOperatorExpr big => BigOperator(big),
                SetBuilderExpr => throw new TranslationException("set-builder"),
                FilterExpr => throw new TranslationException("Finset.filter"),
                _ => throw new TranslationException(expr.GetType().Name),
            };
        }

        private Term Lookup(VariableExpr variable)
        {
            return _environment.TryGetValue(variable.Name, out Term? bound)
                ? bound is Variable { IsFunction: true } ? throw new TranslationException("function variable used as a value") : bound
                : throw new TranslationException("unknown variable");
        }

        private static Term Literal(BigInteger numerator, BigInteger denominator, FormalType type)
        {
            return ValueSort(type) switch
            {
                SmtSort.IntSort when denominator.IsOne => new IntLiteral(numerator),
                SmtSort.RealSort => new RealLiteral(numerator, denominator),
                _ => throw new TranslationException("literal of type " + type),
            };
        }

        private static Term Scientific(ScientificExpr scientific)
        {
            (BigInteger numerator, BigInteger denominator) = ScientificValue(scientific);
            return Literal(numerator, denominator, scientific.Type);
        }

        /// <summary>The exact value <c>m × 10^e</c> of a decimal, as a fraction.</summary>
        private static (BigInteger Numerator, BigInteger Denominator) ScientificValue(ScientificExpr scientific)
        {
            if (Math.Abs(scientific.Exponent) > 1000)
            {
                throw new TranslationException("huge decimal exponent");
            }

            BigInteger power = BigInteger.Pow(10, Math.Abs(scientific.Exponent));
            return scientific.Exponent >= 0 ? (scientific.Mantissa * power, BigInteger.One) : (scientific.Mantissa, power);
        }

        private Term Cast(CastExpr cast)
        {
            if (cast.Operand.Type.Kind == FormalTypeKind.ZMod)
            {
                throw new TranslationException("cast from ZMod");
            }

            Term operand = Translate(cast.Operand);
            SmtSort target = ValueSort(cast.Type);
            if (operand.Sort == target)
            {
                return operand;
            }

            return operand.Sort == SmtSort.IntSort && target == SmtSort.RealSort
                ? new IntToReal(operand)
                : throw new TranslationException($"cast from {cast.Operand.Type} to {cast.Type}");
        }

        private Term Arithmetic(ArithmeticExpr arithmetic)
        {
            if (arithmetic.Operator == NumericOperator.Power)
            {
                return Power(arithmetic);
            }

            if (arithmetic.Operator == NumericOperator.Modulo && LiteralPowerRemainder(arithmetic.Left, arithmetic.Right) is IntLiteral folded)
            {
                return folded;
            }

            Term left = Translate(arithmetic.Left);
            Term right = Translate(arithmetic.Right);
            bool natural = arithmetic.Type.Kind == FormalTypeKind.Nat;
            switch (arithmetic.Operator)
            {
                case NumericOperator.Add:
                    return Op(ArithmeticOperator.Add, left, right);
                case NumericOperator.Multiply:
                    return Op(ArithmeticOperator.Multiply, left, right);
                case NumericOperator.Subtract:
                    return natural
                        ? new IfThenElse(Ge(left, right), Op(ArithmeticOperator.Subtract, left, right), Int(0))
                        : Op(ArithmeticOperator.Subtract, left, right);
                case NumericOperator.Divide:
                    return left.Sort == SmtSort.IntSort
                        ? new IfThenElse(Eq(right, Int(0)), Int(0), Op(ArithmeticOperator.IntegerDivide, left, right))
                        : new IfThenElse(Eq(right, Real(0)), Real(0), Op(ArithmeticOperator.Divide, left, right));
                default:
                    return left.Sort == SmtSort.IntSort
                        ? LeanMod(left, right)
                        : throw new TranslationException("real remainder");
            }
        }

        private static IfThenElse LeanMod(Term left, Term right)
        {
            return new IfThenElse(Eq(right, Int(0)), left, Op(ArithmeticOperator.Modulo, left, right));
        }

        /// <summary>
        /// <c>a ^ n % m</c> on ℕ or ℤ with a literal base, a literal exponent of any size and a literal modulus
        /// <c>m ≠ 0</c>, computed by <see cref="BigInteger.ModPow"/> with Lean's semantics: <c>%</c> is Euclidean, so the
        /// result is in <c>[0, |m|)</c> (.NET returns a negative remainder for a negative power, which is shifted up);
        /// null otherwise (with <c>m = 0</c>, <c>x % 0 = x</c> is the power itself, left to <see cref="Power"/>).
        /// </summary>
        private static IntLiteral? LiteralPowerRemainder(FormalExpr dividend, FormalExpr modulus)
        {
            if (dividend is not ArithmeticExpr { Operator: NumericOperator.Power } power
                || dividend.Type.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int)
                || LiteralValue(power.Left) is not BigInteger b || LiteralValue(power.Right) is not BigInteger n || n.Sign < 0
                || LiteralValue(modulus) is not BigInteger m || m.IsZero)
            {
                return null;
            }

            BigInteger absolute = BigInteger.Abs(m);
            BigInteger remainder = BigInteger.ModPow(b, n, absolute);
            return Int(remainder.Sign < 0 ? remainder + absolute : remainder);
        }

        private Term Power(ArithmeticExpr power)
        {
            if (LiteralValue(power.Right) is not BigInteger exponent || exponent.Sign < 0)
            {
                if (power.Right.Type.Kind == FormalTypeKind.Nat)
                {
                    return NaturalPower(Translate(power.Left), Translate(power.Right));
                }

                if (power.Right.Type.Kind == FormalTypeKind.Real && power.Left.Type.Kind == FormalTypeKind.Real)
                {
                    return RealLiteralValue(power.Right) is (BigInteger numerator, BigInteger denominator) && numerator.IsOne && denominator == 2
                        ? Sqrt(Translate(power.Left))
                        : RealPower(Translate(power.Left), Translate(power.Right));
                }

                throw new TranslationException("non-literal exponent");
            }

            Term baseTerm = Translate(power.Left);
            if (exponent <= MaxLiteralExponent && baseTerm is IntLiteral intBase)
            {
                return Int(BigInteger.Pow(intBase.Value, (int)exponent));
            }

            if (exponent <= MaxLiteralExponent && baseTerm is RealLiteral realBase)
            {
                return new RealLiteral(BigInteger.Pow(realBase.Numerator, (int)exponent), BigInteger.Pow(realBase.Denominator, (int)exponent));
            }

            if (exponent > MaxExponent)
            {
                throw new TranslationException("exponent above " + MaxExponent.ToString(CultureInfo.InvariantCulture));
            }

            Term result = baseTerm.Sort == SmtSort.IntSort ? Int(1) : Real(1);
            for (int i = 0; i < (int)exponent; i++)
            {
                result = i == 0 ? baseTerm : Op(ArithmeticOperator.Multiply, result, baseTerm);
            }

            return result;
        }

        /// <summary>
        /// <c>b ^ n</c> for a ℕ term <c>n</c>: a fresh <c>p</c> defined as <c>pow(b, n)</c> of an uninterpreted <c>pow</c>
        /// (one symbol per base sort, shared by both statements of a check) with ground instances of true facts about
        /// the power: <c>n = 0 → p = 1</c>, <c>n ≥ 1 → p = b · pow(b, n - 1)</c> (the recursive definition unrolled once),
        /// <c>b &gt; 0 → p &gt; 0</c>, <c>b ≥ 0 → p ≥ 0</c>, <c>b = 0 ∧ n ≥ 1 → p = 0</c>, <c>b = 1 → p = 1</c>,
        /// <c>b ≥ 1 → p ≥ 1</c>, <c>b &gt; 1 ∧ n ≥ 1 → p ≥ b</c>, and for two powers of one base in the same scope,
        /// <c>b &gt; 1 → (n₁ &lt; n₂ ↔ p₁ &lt; p₂)</c>. The real power satisfies them all, so a proof for every
        /// interpretation holds for it; a refutation uses an interpretation only, and is not reported as a counterexample.
        /// </summary>
        private Variable NaturalPower(Term b, Term n)
        {
            Variable symbol = new(b.Sort == SmtSort.IntSort ? "pow@Int" : "pow@Real", b.Sort, [b.Sort, SmtSort.IntSort]);
            Variable p = Fresh("pow", b.Sort);
            Term zero = Zero(b.Sort);
            Term one = One(b.Sort);
            Term positive = new Comparison(ComparisonOperator.Greater, b, zero);
            Term atLeastOne = Ge(n, Int(1));
            List<Term> facts =
            [
                Eq(p, new Application(symbol, [b, n])),
                new Implication(Eq(n, Int(0)), Eq(p, one)),
                new Implication(atLeastOne, Eq(p, Op(ArithmeticOperator.Multiply, b, new Application(symbol, [b, Op(ArithmeticOperator.Subtract, n, Int(1))])))),
                new Implication(positive, new Comparison(ComparisonOperator.Greater, p, zero)),
                new Implication(Ge(b, zero), Ge(p, zero)),
                new Implication(new Conjunction(Eq(b, zero), atLeastOne), Eq(p, zero)),
                new Implication(Eq(b, one), Eq(p, one)),
                new Implication(Ge(b, one), Ge(p, one)),
                new Implication(new Conjunction(new Comparison(ComparisonOperator.Greater, b, one), atLeastOne), Ge(p, b)),
            ];
            foreach ((string other, Variable value, Term argument) in _calls)
            {
                if (other == symbol.Name && argument is Application { Arguments: [var otherBase, var otherExponent] } && otherBase == b)
                {
                    facts.Add(new Implication(
                        new Comparison(ComparisonOperator.Greater, b, one),
                        new Biconditional(new Comparison(ComparisonOperator.Less, otherExponent, n), new Comparison(ComparisonOperator.Less, value, p))));
                }
            }

            _calls.Add((symbol.Name, p, new Application(symbol, [b, n])));
            _fresh.Add((p, Terms.All(facts)));
            return p;
        }

        /// <summary>
        /// <c>x ^ y</c> on ℝ with a real exponent other than a natural number or 1/2 (Mathlib's <c>Real.rpow</c>): a fresh
        /// <c>r = rpow(x, y)</c> of an uninterpreted <c>rpow</c> with facts true of Mathlib's definition for every
        /// <c>x</c>: <c>y = 0 → r = 1</c>, <c>x = 1 → r = 1</c>, <c>x = 0 ∧ y ≠ 0 → r = 0</c>, <c>x &gt; 0 → r &gt; 0</c>,
        /// <c>x &gt; 0 ∧ y = 1 → r = x</c>.
        /// </summary>
        private Variable RealPower(Term x, Term y)
        {
            Variable symbol = new("Real.rpow", SmtSort.RealSort, [SmtSort.RealSort, SmtSort.RealSort]);
            Variable r = Fresh("rpow", SmtSort.RealSort);
            Term positive = new Comparison(ComparisonOperator.Greater, x, Real(0));
            _fresh.Add((r, Terms.All(
            [
                Eq(r, new Application(symbol, [x, y])),
                new Implication(Eq(y, Real(0)), Eq(r, Real(1))),
                new Implication(Eq(x, Real(1)), Eq(r, Real(1))),
                new Implication(new Conjunction(Eq(x, Real(0)), new Comparison(ComparisonOperator.NotEqual, y, Real(0))), Eq(r, Real(0))),
                new Implication(positive, new Comparison(ComparisonOperator.Greater, r, Real(0))),
                new Implication(new Conjunction(positive, Eq(y, Real(1))), Eq(r, x)),
            ])));
            return r;
        }

        /// <summary>
        /// A transcendental function of a real as a fresh variable <c>v = F(x)</c> of an uninterpreted <c>F</c> with ground
        /// instances of true facts (see <see cref="TranscendentalFacts"/>), and for two applications of one function in the
        /// same scope its monotonicity (exp, and log on positive arguments) or <c>sin² + cos² = 1</c> at one argument.
        /// </summary>
        private Variable Transcendental(string name, Term x)
        {
            if (x.Sort != SmtSort.RealSort)
            {
                throw new TranslationException(name + " of a non-real");
            }

            Variable symbol = new(name, SmtSort.RealSort, [SmtSort.RealSort]);
            Variable v = Fresh(name.Replace("Real.", string.Empty, StringComparison.Ordinal), SmtSort.RealSort);
            List<Term> facts = [Eq(v, new Application(symbol, [x])), .. TranscendentalFacts(name, v, x)];
            foreach ((string other, Variable value, Term argument) in _calls)
            {
                if (other == name && name is "Real.exp")
                {
                    facts.Add(new Biconditional(new Comparison(ComparisonOperator.Less, argument, x), new Comparison(ComparisonOperator.Less, value, v)));
                }
                else if (other == name && name is "Real.log")
                {
                    facts.Add(new Implication(
                        new Conjunction(new Comparison(ComparisonOperator.Greater, argument, Real(0)), new Comparison(ComparisonOperator.Greater, x, Real(0))),
                        new Biconditional(new Comparison(ComparisonOperator.Less, argument, x), new Comparison(ComparisonOperator.Less, value, v))));
                }
                else if ((other, name) is ("Real.sin", "Real.cos") or ("Real.cos", "Real.sin") && argument == x)
                {
                    facts.Add(Eq(Op(ArithmeticOperator.Add, Op(ArithmeticOperator.Multiply, value, value), Op(ArithmeticOperator.Multiply, v, v)), Real(1)));
                }
            }

            _calls.Add((name, v, x));
            _fresh.Add((v, Terms.All(facts)));
            return v;
        }

        /// <summary>
        /// Facts true of Mathlib's functions at <c>v = F(x)</c>: exp: <c>v &gt; 0</c>, <c>v ≥ x + 1</c>, <c>x = 0 → v = 1</c>;
        /// log (of <c>|x|</c>, as Mathlib's <c>Real.log x = Real.log |x|</c>, so <c>x ≥ 0</c> here): <c>x = 0 → v = 0</c>,
        /// <c>x = 1 → v = 0</c>, <c>x &gt; 1 → v &gt; 0</c>, <c>0 &lt; x &lt; 1 → v &lt; 0</c>, <c>x &gt; 0 → v ≤ x - 1</c>;
        /// sin, cos: <c>-1 ≤ v ≤ 1</c> and their values at 0; tan: its value at 0; π: <c>3.14159 &lt; v &lt; 3.1416</c>.
        /// </summary>
        private static IEnumerable<Term> TranscendentalFacts(string name, Variable v, Term x)
        {
            static Comparison Less(Term a, Term b) => new(ComparisonOperator.Less, a, b);
            switch (name)
            {
                case "Real.exp":
                    yield return Less(Real(0), v);
                    yield return Ge(v, Op(ArithmeticOperator.Add, x, Real(1)));
                    yield return new Implication(Eq(x, Real(0)), Eq(v, Real(1)));
                    break;
                case "Real.log":
                    yield return new Implication(Eq(x, Real(0)), Eq(v, Real(0)));
                    yield return new Implication(Eq(x, Real(1)), Eq(v, Real(0)));
                    yield return new Implication(Less(Real(1), x), Less(Real(0), v));
                    yield return new Implication(new Conjunction(Less(Real(0), x), Less(x, Real(1))), Less(v, Real(0)));
                    yield return new Implication(Less(Real(0), x), new Comparison(ComparisonOperator.LessOrEqual, v, Op(ArithmeticOperator.Subtract, x, Real(1))));
                    break;
                case "Real.sin" or "Real.cos":
                    yield return Ge(v, new RealLiteral(-1));
                    yield return new Comparison(ComparisonOperator.LessOrEqual, v, Real(1));
                    yield return new Implication(Eq(x, Real(0)), Eq(v, Real(name == "Real.sin" ? 0 : 1)));
                    break;
                case "Real.tan":
                    yield return new Implication(Eq(x, Real(0)), Eq(v, Real(0)));
                    break;
                case "Real.pi":
                    yield return Less(new RealLiteral(314159, 100000), v);
                    yield return Less(v, new RealLiteral(31416, 10000));
                    break;
                default:
                    break;
            }
        }

        /// <summary>The value of a real-typed literal fraction (<c>1 / 2</c>, <c>(3 : ℝ)</c>), else null.</summary>
        private static (BigInteger Numerator, BigInteger Denominator)? RealLiteralValue(FormalExpr expr)
        {
            if (LiteralValue(expr) is BigInteger whole)
            {
                return (whole, BigInteger.One);
            }

            if (expr is ArithmeticExpr { Operator: NumericOperator.Divide } fraction
                && LiteralValue(fraction.Left) is BigInteger numerator && LiteralValue(fraction.Right) is BigInteger denominator && denominator.Sign > 0)
            {
                BigInteger gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
                return (numerator / gcd, denominator / gcd);
            }

            return null;
        }

        private static BigInteger? LiteralValue(FormalExpr expr)
        {
            return expr switch
            {
                NumeralExpr numeral => numeral.Value,
                CastExpr cast when cast.Operand.Type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int => LiteralValue(cast.Operand),
                NegateExpr negate when LiteralValue(negate.Operand) is BigInteger value => -value,
                _ => null,
            };
        }

        private Term Call(CallExpr call)
        {
            ImmutableArray<FormalExpr> args = call.Arguments;
            switch (call.Function)
            {
                case FormalFunction.RealSqrt:
                    return Sqrt(Translate(args[0]));
                case FormalFunction.Abs:
                case FormalFunction.IntNatAbs:
                    {
                        Term x = Translate(args[0]);
                        Term zero = Zero(x.Sort);
                        return new IfThenElse(Ge(x, zero), x, new UnaryMinus(x));
                    }

                case FormalFunction.Min:
                case FormalFunction.Max:
                    {
                        Term a = Translate(args[0]);
                        Term b = Translate(args[1]);
                        return call.Function == FormalFunction.Min
                            ? new IfThenElse(new Comparison(ComparisonOperator.LessOrEqual, a, b), a, b)
                            : new IfThenElse(Ge(a, b), a, b);
                    }

                case FormalFunction.IntToNat:
                    {
                        Term x = Translate(args[0]);
                        return new IfThenElse(Ge(x, Int(0)), x, Int(0));
                    }

                case FormalFunction.NatSucc:
                    return Op(ArithmeticOperator.Add, Translate(args[0]), Int(1));
                case FormalFunction.IntFloor:
                case FormalFunction.NatFloor:
                case FormalFunction.IntCeil:
                case FormalFunction.NatCeil:
                    return Rounding(call.Function, Translate(args[0]));
                case FormalFunction.Inverse:
                    {
                        Term x = Translate(args[0]);
                        return x.Sort == SmtSort.RealSort
                            ? new IfThenElse(Eq(x, Real(0)), Real(0), Op(ArithmeticOperator.Divide, Real(1), x))
                            : throw new TranslationException("inverse of " + args[0].Type);
                    }

                case FormalFunction.Even:
                case FormalFunction.Odd:
                    {
                        // On ℕ and ℤ only: in ZMod n, Even x asks for some r with x = r + r, not for an even residue.
                        return args[0].Type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int
                            ? Eq(Op(ArithmeticOperator.Modulo, Translate(args[0]), Int(2)), Int(call.Function == FormalFunction.Even ? 0 : 1))
                            : throw new TranslationException("Even/Odd of " + args[0].Type);
                    }

                case FormalFunction.NatModEq:
                case FormalFunction.IntModEq:
                    {
                        Term n = Translate(args[0]);
                        return Eq(
                            (Term?)LiteralPowerRemainder(args[1], args[0]) ?? LeanMod(Translate(args[1]), n),
                            (Term?)LiteralPowerRemainder(args[2], args[0]) ?? LeanMod(Translate(args[2]), n));
                    }

                case FormalFunction.Factorial:
                    return LiteralValue(args[0]) is BigInteger f && f.Sign >= 0 && f <= 100
                        ? Int(Factorial(f))
                        : FactorialSymbol(Translate(args[0]));
                case FormalFunction.Choose:
                    return LiteralValue(args[0]) is BigInteger n0 && LiteralValue(args[1]) is BigInteger k0 && n0.Sign >= 0 && k0.Sign >= 0 && n0 <= 1000
                        ? Int(k0 > n0 ? BigInteger.Zero : Factorial(n0) / (Factorial(k0) * Factorial(n0 - k0)))
                        : ChooseSymbol(Translate(args[0]), Translate(args[1]));
                case FormalFunction.NatSqrt:
                    return NaturalSqrt(Translate(args[0]));
                case FormalFunction.NNRealSqrt:
                    return Sqrt(Translate(args[0]));
                case FormalFunction.FinsetCard:
                    return Cardinality(args[0]);
                case FormalFunction.IsLeast:
                case FormalFunction.IsGreatest:
                    return Extremum(call.Function == FormalFunction.IsLeast, args[0], args[1]);
                case FormalFunction.NatPrime:
                    return Prime(Translate(args[0]));
                case FormalFunction.NatGcd:
                case FormalFunction.NatLcm:
                    return GcdLcm(call.Function == FormalFunction.NatGcd, Translate(args[0]), Translate(args[1]));
                case FormalFunction.Exp:
                    // log and exp are inverse: exp (log x) = |x| for x ≠ 0 (and exp (log 0) = exp 0 = 1); log (exp y) = y.
                    return args[0] is CallExpr { Function: FormalFunction.Log } inner
                        ? ExpOfLog(Translate(inner.Arguments[0]))
                        : Transcendental("Real.exp", Translate(args[0]));
                case FormalFunction.Log:
                    return args[0] is CallExpr { Function: FormalFunction.Exp } exp
                        ? Translate(exp.Arguments[0])
                        : Log(Translate(args[0]));
                case FormalFunction.Logb:
                    // Mathlib's definition: Real.logb b x = Real.log x / Real.log b (with x / 0 = 0).
                    {
                        Term x = Log(Translate(args[1]));
                        Term b = Log(Translate(args[0]));
                        return new IfThenElse(Eq(b, Real(0)), Real(0), Op(ArithmeticOperator.Divide, x, b));
                    }

                case FormalFunction.Sin:
                    return Transcendental("Real.sin", Translate(args[0]));
                case FormalFunction.Cos:
                    return Transcendental("Real.cos", Translate(args[0]));
                case FormalFunction.Tan:
                    return Transcendental("Real.tan", Translate(args[0]));
                case FormalFunction.Pi:
                    return Pi();
                case FormalFunction.ComplexRe:
                    return Complex(args[0]).Re;
                case FormalFunction.ComplexIm:
                    return Complex(args[0]).Im;
                case FormalFunction.ComplexNormSq:
                    return ComplexTerm.NormSquared(Complex(args[0]));
                case FormalFunction.ComplexAbs:
                    // Mathlib: Complex.abs z = Real.sqrt (Complex.normSq z).
                    return Sqrt(ComplexTerm.NormSquared(Complex(args[0])));
                case FormalFunction.Irrational:
                    {
                        // x is irrational when no integers p, q ≥ 1 give x·q = p.
                        Term x = Translate(args[0]);
                        Variable p = Fresh("p", SmtSort.IntSort);
                        Variable q = Fresh("q", SmtSort.IntSort);
                        Term ratio = Eq(Op(ArithmeticOperator.Multiply, x, new IntToReal(q)), new IntToReal(p));
                        return Terms.ForAll([p, q], new Implication(Ge(q, Int(1)), new LogicalNot(ratio)));
                    }

                case FormalFunction.RatDivInt:
                    {
                        // a /. b is the rational a / b, and 0 when b = 0 (Rat.divInt).
                        Term a = IntegerAsReal(Translate(args[0]));
                        Term b = IntegerAsReal(Translate(args[1]));
                        return new IfThenElse(Eq(b, Real(0)), Real(0), Op(ArithmeticOperator.Divide, a, b));
                    }

                case FormalFunction.RatNum:
                    return LowestTerms(args[0]).Numerator;
                case FormalFunction.RatDen:
                    return LowestTerms(args[0]).Denominator;
                case FormalFunction.TrueProp:
                    return BoolLiteral.True;
                case FormalFunction.FalseProp:
                    return BoolLiteral.False;
                default:
                    throw new TranslationException(FormalFunctions.Get(call.Function).Name);
            }
        }

        private static readonly Dictionary<string, Evaluation.Rational> NoValues = new(StringComparer.Ordinal);

        private static Term IntegerAsReal(Term x) => x.Sort == SmtSort.IntSort ? new IntToReal(x) : x;

        /// <summary>
        /// <c>Rat.num q</c> and <c>Rat.den q</c>: for a literal <c>q</c> the reduced fraction's integers; otherwise fresh
        /// integers <c>n</c>, <c>d</c> with <c>d ≥ 1</c>, <c>q·d = n</c> and <c>u·n + v·d = 1</c> for fresh integers
        /// <c>u</c>, <c>v</c> (Bézout: <c>n</c> and <c>d</c> are coprime). Those hold for exactly one pair, the lowest
        /// terms, whenever <c>q</c> is rational, which a ℚ term is; so the constraint only names the values. The same
        /// <c>q</c> in one scope shares its pair, so that <c>q.num</c> and <c>q.den</c> belong to one fraction without Z3
        /// having to prove it unique.
        /// </summary>
        private (Term Numerator, Term Denominator) LowestTerms(FormalExpr q)
        {
            // Only a closed q: a name in q may be a binder that shadows a statement variable the candidate values fix.
            if (ExprTree.FreeVariables(q).Count == 0 && LeanEvaluator.Evaluate(q, NoValues).Number is Evaluation.Rational literal)
            {
                return (Int(literal.Numerator), Int(literal.Denominator));
            }

            // Keyed by the translated term, not the Lean text: under a big operator's index the same text has other values.
            Term x = IntegerAsReal(Translate(q));
            string key = SmtLibWriter.Write(x);
            if (_fractions.Find(f => f.Scope == _fresh && f.Key == key) is { Scope: not null } known)
            {
                return (known.Numerator, known.Denominator);
            }

            Variable n = Fresh("num", SmtSort.IntSort);
            Variable d = Fresh("den", SmtSort.IntSort);
            Variable u = Fresh("bezout", SmtSort.IntSort);
            Variable v = Fresh("bezout", SmtSort.IntSort);
            _fresh.Add((u, BoolLiteral.True));
            _fresh.Add((v, BoolLiteral.True));
            _fresh.Add((n, BoolLiteral.True));
            _fresh.Add((d, Terms.All(
            [
                Ge(d, Int(1)),
                Eq(Op(ArithmeticOperator.Multiply, x, new IntToReal(d)), new IntToReal(n)),
                Eq(Op(ArithmeticOperator.Add, Op(ArithmeticOperator.Multiply, u, n), Op(ArithmeticOperator.Multiply, v, d)), Int(1)),
            ])));
            _fractions.Add((_fresh, key, n, d));
            return (n, d);
        }

        private static Term Rounding(FormalFunction function, Term x)
        {
            if (x.Sort == SmtSort.IntSort)
            {
                return function is FormalFunction.NatFloor or FormalFunction.NatCeil
                    ? new IfThenElse(Ge(x, Int(0)), x, Int(0))
                    : x;
            }

            Term value = function is FormalFunction.IntFloor or FormalFunction.NatFloor
                ? new RealToInt(x)
                : new UnaryMinus(new RealToInt(new UnaryMinus(x)));
            return function is FormalFunction.NatFloor or FormalFunction.NatCeil
                ? new IfThenElse(Ge(value, Int(0)), value, Int(0))
                : value;
        }

        private static BigInteger Factorial(BigInteger n)
        {
            BigInteger result = BigInteger.One;
            for (BigInteger i = 2; i <= n; i++)
            {
                result *= i;
            }

            return result;
        }

        /// <summary>
        /// <c>Real.pi</c>: one fresh variable per statement, defined at top level (wherever it first occurs) as the value of
        /// an uninterpreted symbol (so a refutation that uses it is not reported) with <c>3.14159 &lt; π &lt; 3.1416</c>.
        /// </summary>
        private Variable Pi()
        {
            if (_pi is null)
            {
                Variable symbol = new("Real.pi", SmtSort.RealSort, [SmtSort.RealSort]);
                _pi = Fresh("pi", SmtSort.RealSort);
                _topFresh.Add((_pi, Terms.All([Eq(_pi, new Application(symbol, [Real(0)])), .. TranscendentalFacts("Real.pi", _pi, Real(0))])));
            }

            return _pi;
        }

        /// <summary>
        /// <c>n !</c> for a non-literal <c>n</c>: a fresh <c>v = fact(n)</c> of an uninterpreted <c>fact</c> with the recursive
        /// definition instantiated at <c>n</c> (<c>n = 0 → v = 1</c>, <c>n ≥ 1 → v = n · fact(n - 1)</c>), <c>v ≥ 1</c> and
        /// <c>v ≥ n</c>.
        /// </summary>
        private Variable FactorialSymbol(Term n)
        {
            Variable symbol = new("Nat.factorial", SmtSort.IntSort, [SmtSort.IntSort]);
            Variable v = Fresh("fact", SmtSort.IntSort);
            _fresh.Add((v, Terms.All(
            [
                Eq(v, new Application(symbol, [n])),
                new Implication(Eq(n, Int(0)), Eq(v, Int(1))),
                new Implication(Ge(n, Int(1)), Eq(v, Op(ArithmeticOperator.Multiply, n, new Application(symbol, [Op(ArithmeticOperator.Subtract, n, Int(1))])))),
                Ge(v, Int(1)),
                Ge(v, n),
            ])));
            return v;
        }

        /// <summary>
        /// <c>Nat.choose n k</c> of non-literals: a fresh <c>v = choose(n, k)</c> of an uninterpreted <c>choose</c> with
        /// <c>k &gt; n → v = 0</c>, <c>k = 0 → v = 1</c>, <c>k = n → v = 1</c>, <c>k = 1 → v = n</c>, <c>k ≤ n → v ≥ 1</c>.
        /// </summary>
        private Variable ChooseSymbol(Term n, Term k)
        {
            Variable symbol = new("Nat.choose", SmtSort.IntSort, [SmtSort.IntSort, SmtSort.IntSort]);
            Variable v = Fresh("choose", SmtSort.IntSort);
            _fresh.Add((v, Terms.All(
            [
                Eq(v, new Application(symbol, [n, k])),
                new Implication(new Comparison(ComparisonOperator.Greater, k, n), Eq(v, Int(0))),
                new Implication(Eq(k, Int(0)), Eq(v, Int(1))),
                new Implication(Eq(k, n), Eq(v, Int(1))),
                new Implication(Eq(k, Int(1)), Eq(v, n)),
                new Implication(new Comparison(ComparisonOperator.LessOrEqual, k, n), Ge(v, Int(1))),
            ])));
            return v;
        }

        /// <summary><c>Nat.sqrt x</c>: a fresh <c>s ≥ 0</c> with <c>s² ≤ x &lt; (s + 1)²</c> (exactly one such <c>s</c> for <c>x ≥ 0</c>).</summary>
        private Variable NaturalSqrt(Term x)
        {
            Variable s = Fresh("isqrt", SmtSort.IntSort);
            Term next = Op(ArithmeticOperator.Add, s, Int(1));
            _fresh.Add((s, Terms.All(
            [
                Ge(s, Int(0)),
                new Comparison(ComparisonOperator.LessOrEqual, Op(ArithmeticOperator.Multiply, s, s), x),
                new Comparison(ComparisonOperator.Less, x, Op(ArithmeticOperator.Multiply, next, next)),
            ])));
            return s;
        }

        /// <summary><c>Finset.card s</c> of a finite domain with literal bounds (a range, an interval, divisors, filters of them): the sum of 1 over it.</summary>
        private Term Cardinality(FormalExpr set)
        {
            FormalType element = set.Type.Element ?? throw new TranslationException("Finset.card of a non-set");
            if (FiniteDomain(set, element, out _) is not { } domain)
            {
                return OpaqueBigOperator("card", "card!", element, set, static () => Int(1));
            }

            Term? result = null;
            foreach (BigInteger i in domain.Values)
            {
                Term index = Int(i);
                Term term = domain.Filters.Count == 0
                    ? Int(1)
                    : new IfThenElse(Terms.All(domain.Filters.Select(filter => Scoped(filter.Variable, index, () => Formula(filter.Predicate)))), Int(1), Int(0));
                result = result is null ? term : Op(ArithmeticOperator.Add, result, term);
            }

            return result ?? Int(0);
        }

        /// <summary>
        /// <c>IsLeast S a</c> (<c>IsGreatest S a</c>): <c>a ∈ S ∧ ∀ b, b ∈ S → a ≤ b</c> (<c>b ≤ a</c>), with membership as in
        /// <see cref="Member"/> and <c>b</c> of the element type.
        /// </summary>
        private Conjunction Extremum(bool least, FormalExpr set, FormalExpr candidate)
        {
            FormalType element = set.Type.Element ?? throw new TranslationException("IsLeast of a non-set");
            if (element.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Real or FormalTypeKind.NNReal))
            {
                throw new TranslationException("IsLeast/IsGreatest over " + element);
            }

            string name = Fresh("b", SmtSort.IntSort).Name;
            Term a = Translate(candidate);
            Term inSet = Member(candidate, set);
            Variable bound = new(name, SortOf(element));
            Term body = Scoped(name, bound, () => Member(new VariableExpr(name, element), set), universal: true);
            Term order = least ? new Comparison(ComparisonOperator.LessOrEqual, a, bound) : new Comparison(ComparisonOperator.LessOrEqual, bound, a);
            Term range = RangeCondition(element, bound) is { } nonNegative ? nonNegative : BoolLiteral.True;
            return new Conjunction(inSet, new ForAll(bound, new Implication(new Conjunction(range, body), order)));
        }

        /// <summary><c>Real.log x</c>: Mathlib's log is even (<c>log x = log |x|</c>), so the symbol is applied to <c>|x|</c>.</summary>
        private Variable Log(Term x)
        {
            if (x.Sort != SmtSort.RealSort)
            {
                throw new TranslationException("Real.log of a non-real");
            }

            return Transcendental("Real.log", x is RealLiteral { Numerator.Sign: >= 0 } ? x : new IfThenElse(Ge(x, Real(0)), x, new UnaryMinus(x)));
        }

        /// <summary><c>exp (log x)</c>: <c>|x|</c> for <c>x ≠ 0</c>, and <c>exp 0 = 1</c> at <c>x = 0</c> (Mathlib's <c>log 0 = 0</c>).</summary>
        private static IfThenElse ExpOfLog(Term x)
        {
            if (x.Sort != SmtSort.RealSort)
            {
                throw new TranslationException("Real.log of a non-real");
            }

            return new IfThenElse(Eq(x, Real(0)), Real(1), new IfThenElse(Ge(x, Real(0)), x, new UnaryMinus(x)));
        }

        private Variable Sqrt(Term x)
        {
            if (x.Sort != SmtSort.RealSort)
            {
                throw new TranslationException("sqrt of a non-real");
            }

            Variable s = Fresh("sqrt", SmtSort.RealSort);
            Term constraint = Terms.All(
            [
                Ge(s, Real(0)),
                new Implication(Ge(x, Real(0)), Eq(Op(ArithmeticOperator.Multiply, s, s), x)),
                new Implication(new Comparison(ComparisonOperator.Less, x, Real(0)), Eq(s, Real(0))),
            ]);
            _fresh.Add((s, constraint));
            return s;
        }

        private Conjunction Prime(Term p)
        {
            Variable a = Fresh("a", SmtSort.IntSort);
            Variable b = Fresh("b", SmtSort.IntSort);
            Term factors = Terms.All([Ge(a, Int(0)), Ge(b, Int(0)), Eq(Op(ArithmeticOperator.Multiply, a, b), p)]);
            Term trivial = new Disjunction(Eq(a, Int(1)), Eq(b, Int(1)));
            return new Conjunction(Ge(p, Int(2)), Terms.ForAll([a, b], new Implication(factors, trivial)));
        }

        private Exists DividesTerm(Term divisor, Term dividend)
        {
            Variable k = Fresh("k", SmtSort.IntSort);
            return new Exists(k, Eq(dividend, Op(ArithmeticOperator.Multiply, divisor, k)));
        }

        private Term GcdLcm(bool gcd, Term a, Term b)
        {
            if (DivisorTable(gcd, a, b) is { } table)
            {
                return table;
            }


            Variable g = Fresh(gcd ? "gcd" : "lcm", SmtSort.IntSort);
            Variable d = Fresh("d", SmtSort.IntSort);
            Term constraint = gcd
                ? Terms.All(
                [
                    Ge(g, Int(0)), DividesTerm(g, a), DividesTerm(g, b),
                    new ForAll(d, new Implication(new Conjunction(DividesTerm(d, a), DividesTerm(d, b)), DividesTerm(d, g))),
                ])
                : Terms.All(
                [
                    Ge(g, Int(0)), DividesTerm(a, g), DividesTerm(b, g),
                    new ForAll(d, new Implication(new Conjunction(DividesTerm(a, d), DividesTerm(b, d)), DividesTerm(g, d))),
                ]);
            _fresh.Add((g, constraint));
            return g;
        }

        /// <summary>
        /// The quantifier-free encoding of <c>Nat.gcd a b</c> and <c>Nat.lcm a b</c> when an argument is a literal or the
        /// arguments differ by a constant, else null. With a literal <c>n &gt; 0</c>, <c>gcd a n</c> is the largest divisor
        /// <c>d</c> of <c>n</c> with <c>a mod d = 0</c> (an <c>ite</c> chain over the divisors, largest first) and
        /// <c>lcm a n = a·(n / gcd a n)</c>; <c>gcd a 0 = a</c>, <c>lcm a 0 = 0</c>. With <c>a - b = c</c>, Euclid's
        /// step gives <c>gcd a b = gcd b |c|</c> (and <c>gcd a a = a</c>, <c>lcm a a = a</c>). The arguments are naturals
        /// (≥ 0), so <c>mod d</c> by a positive literal is Lean's <c>%</c>.
        /// </summary>
        private static Term? DivisorTable(bool gcd, Term a, Term b)
        {
            if (a is IntLiteral x && b is IntLiteral y)
            {
                BigInteger g = BigInteger.GreatestCommonDivisor(x.Value, y.Value);
                return Int(gcd ? g : g.IsZero ? BigInteger.Zero : x.Value / g * y.Value);
            }

            if (a is IntLiteral)
            {
                (a, b) = (b, a);
            }

            if (b is IntLiteral literal)
            {
                return literal.Value.IsZero ? (gcd ? a : Int(0)) : LargestDivisor(a, literal.Value, gcd ? null : literal.Value);
            }

            if (IntegerLinearForm.ConstantDifference(a, b) is not BigInteger difference)
            {
                return null;
            }

            return difference.IsZero ? a : gcd ? LargestDivisor(b, BigInteger.Abs(difference), null) : null;
        }

        /// <summary>
        /// <c>ite(a mod d₁ = 0, r(d₁), ite(a mod d₂ = 0, r(d₂), … r(1)))</c> over the divisors <c>d₁ &gt; d₂ &gt; … &gt; 1</c>
        /// of <paramref name="n"/>, where <c>r(d) = d</c> (the gcd) or <c>a·(lcm / d)</c> when <paramref name="lcm"/> is
        /// given; null when <paramref name="n"/> has too many divisors to list.
        /// </summary>
        private static Term? LargestDivisor(Term a, BigInteger n, BigInteger? lcm)
        {
            if (Divisors(n) is not { } divisors)
            {
                return null;
            }

            Term Value(BigInteger d) => lcm is BigInteger l ? (l / d).IsOne ? a : Op(ArithmeticOperator.Multiply, Int(l / d), a) : Int(d);
            Term result = Value(BigInteger.One);
            foreach (BigInteger d in divisors.Where(static d => !d.IsOne).Order())
            {
                result = new IfThenElse(Eq(Op(ArithmeticOperator.Modulo, a, Int(d)), Int(0)), Value(d), result);
            }

            return result;
        }

        /// <summary>The positive divisors of <paramref name="n"/> &gt; 0 by trial division; null above 10¹⁰ or 256 divisors.</summary>
        private static List<BigInteger>? Divisors(BigInteger n)
        {
            if (n > 10_000_000_000)
            {
                return null;
            }

            List<BigInteger> divisors = [];
            for (BigInteger d = 1; d * d <= n; d++)
            {
                if ((n % d).IsZero)
                {
                    divisors.Add(d);
                    if (d * d != n)
                    {
                        divisors.Add(n / d);
                    }

                    if (divisors.Count > MaxDivisors)
                    {
                        return null;
                    }
                }
            }

            return divisors;
        }

        private Variable Fresh(string prefix, SmtSort sort)
        {
            string name;
            do
            {
                name = prefix + "!" + (_counter++).ToString(CultureInfo.InvariantCulture);
            }
            while (_usedNames.Contains(name));

            _usedNames.Add(name);
            return new Variable(name, sort);
        }

        private Term Relation(RelationExpr relation)
        {
            switch (relation.Operator)
            {
                case RelationOperator.Divides:
                    return Divides(relation.Left, relation.Right);
                case RelationOperator.Member:
                    return Member(relation.Left, relation.Right);
                case RelationOperator.NotMember:
                    return new LogicalNot(Member(relation.Left, relation.Right));
                default:
                    break;
            }

            if (relation.Left.Type.Kind == FormalTypeKind.Complex || relation.Right.Type.Kind == FormalTypeKind.Complex)
            {
                return ComplexRelation(relation);
            }

            if (relation.Left.Type.IsCollection && relation.Operator is RelationOperator.Equal or RelationOperator.NotEqual)
            {
                // Extensionality (Set.ext, Finset.ext): two sets are equal when they have the same members.
                FormalType element = relation.Left.Type.Element!;
                string name = Fresh("elem", SortOf(element)).Name;
                VariableExpr member = new(name, element);
                FormalExpr sameMembers = new QuantifierExpr(
                    Formal.Quantifier.ForAll,
                    name,
                    element,
                    new LogicalExpr(LogicalOperator.Iff, new RelationExpr(RelationOperator.Member, member, relation.Left), new RelationExpr(RelationOperator.Member, member, relation.Right)));
                return Translate(relation.Operator == RelationOperator.Equal ? sameMembers : new NotExpr(sameMembers));
            }

            if (relation.Operator is not (RelationOperator.Equal or RelationOperator.NotEqual)
                && (relation.Left.Type.Kind == FormalTypeKind.ZMod || relation.Right.Type.Kind == FormalTypeKind.ZMod))
            {
                throw new TranslationException("order on ZMod");
            }

            Term left = Translate(relation.Left);
            Term right = Translate(relation.Right);
            if (left.Sort == SmtSort.BoolSort)
            {
                return relation.Operator switch
                {
                    RelationOperator.Equal => new Biconditional(left, right),
                    RelationOperator.NotEqual => new LogicalNot(new Biconditional(left, right)),
                    _ => throw new TranslationException("order on Prop"),
                };
            }

            ComparisonOperator op = relation.Operator switch
            {
                RelationOperator.Equal => ComparisonOperator.Equal,
                RelationOperator.NotEqual => ComparisonOperator.NotEqual,
                RelationOperator.Less => ComparisonOperator.Less,
                RelationOperator.LessEqual => ComparisonOperator.LessOrEqual,
                RelationOperator.Greater => ComparisonOperator.Greater,
                _ => ComparisonOperator.GreaterOrEqual,
            };
            return new Comparison(op, left, right);
        }

        private Term Divides(FormalExpr divisor, FormalExpr dividend)
        {
            if (dividend.Type.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int))
            {
                // In ZMod n (or ℂ), a ∣ b asks for a multiplier in that ring, not for integer divisibility of residues.
                throw new TranslationException("∣ on " + dividend.Type);
            }

            Term b = Translate(dividend);
            if (b.Sort != SmtSort.IntSort)
            {
                throw new TranslationException("∣ on " + dividend.Type);
            }

            if (LiteralValue(divisor) is BigInteger literal)
            {
                return literal.IsZero
                    ? Eq(b, Int(0))
                    : Eq(Op(ArithmeticOperator.Modulo, b, Int(BigInteger.Abs(literal))), Int(0));
            }

            return DividesTerm(Translate(divisor), b);
        }

        private Term Member(FormalExpr element, FormalExpr collection)
        {
            if (collection is VariableExpr set && _environment.TryGetValue(set.Name, out Term? head) && head is Variable { IsFunction: true } predicate
                && set.Type.IsCollection)
            {
                // Membership in a set variable is its predicate (a Finset ranges over all predicates: sound for proofs that
                // use membership only; its cardinality or a sum over it is not translated).
                return new Application(predicate, [Translate(element)]);
            }

            switch (collection)
            {
                case SetBuilderExpr builder when element.Type.Kind == FormalTypeKind.Complex:
                    return Scoped(builder.Variable, null, Complex(element), () => Formula(builder.Predicate), universal: false);
                case SetBuilderExpr builder:
                    return Scoped(builder.Variable, Translate(element), () => Formula(builder.Predicate));
                case FilterExpr filter:
                    return new Conjunction(Member(element, filter.Source), Scoped(filter.Variable, Translate(element), () => Formula(filter.Predicate)));
                case CallExpr { Function: FormalFunction.SetToFinset } toFinset:
                    return Member(element, toFinset.Arguments[0]);
                case CallExpr { Function: FormalFunction.NatDivisors or FormalFunction.NatProperDivisors } divisors:
                    {
                        // Mathlib: m ∈ n.divisors ↔ m ∣ n ∧ n ≠ 0; m ∈ n.properDivisors ↔ m ∣ n ∧ m < n.
                        Term m = Translate(element);
                        Term n = Translate(divisors.Arguments[0]);
                        Term divides = Divides(element, divisors.Arguments[0]);
                        return divisors.Function == FormalFunction.NatDivisors
                            ? new Conjunction(divides, new Comparison(ComparisonOperator.NotEqual, n, Int(0)))
                            : new Conjunction(divides, new Comparison(ComparisonOperator.Less, m, n));
                    }

                default:
                    break;
            }

            if (collection is not CallExpr call)
            {
                throw new TranslationException("membership in a set");
            }

            Term x = Translate(element);
            switch (call.Function)
            {
                case FormalFunction.FinsetRange:
                    return Terms.All([Ge(x, Int(0)), new Comparison(ComparisonOperator.Less, x, Translate(call.Arguments[0]))]);
                case FormalFunction.FinsetIcc:
                case FormalFunction.FinsetIco:
                case FormalFunction.FinsetIoc:
                case FormalFunction.FinsetIoo:
                    {
                        if (element.Type.Kind == FormalTypeKind.ZMod)
                        {
                            throw new TranslationException("interval of ZMod");
                        }

                        Term low = Translate(call.Arguments[0]);
                        Term high = Translate(call.Arguments[1]);
                        bool closedLow = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco;
                        bool closedHigh = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc;
                        return Terms.All(
                        [
                            new Comparison(closedLow ? ComparisonOperator.LessOrEqual : ComparisonOperator.Less, low, x),
                            new Comparison(closedHigh ? ComparisonOperator.LessOrEqual : ComparisonOperator.Less, x, high),
                        ]);
                    }

                default:
                    throw new TranslationException("membership in " + FormalFunctions.Get(call.Function).Name);
            }
        }

        private Term Logical(LogicalExpr logical)
        {
            Term left = Formula(logical.Left);
            Term right = Formula(logical.Right);
            return logical.Operator switch
            {
                LogicalOperator.And => new Conjunction(left, right),
                LogicalOperator.Or => new Disjunction(left, right),
                LogicalOperator.Implies => new Implication(left, right),
                _ => new Biconditional(left, right),
            };
        }

        private Term Quantifier(QuantifierExpr quantifier)
        {
            if (quantifier.Quantifier == Formal.Quantifier.ExistsUnique)
            {
                throw new TranslationException("∃!");
            }

            if (quantifier.VariableType.Kind == FormalTypeKind.Rat)
            {
                // A free ℚ variable may range over ℝ (a proof for every real holds for every rational), a bound one may not:
                // ∀ q : ℚ, q * q ≠ 2 is true and ∀ x : ℝ, x * x ≠ 2 is not.
                throw new TranslationException("ℚ binder");
            }

            if (quantifier.VariableType.Kind is FormalTypeKind.Function or FormalTypeKind.Set or FormalTypeKind.Finset)
            {
                throw new TranslationException("quantified function or set");
            }

            bool universal = quantifier.Quantifier == Formal.Quantifier.ForAll;
            if (quantifier.VariableType.Kind == FormalTypeKind.Complex)
            {
                return ComplexQuantifier(quantifier.Variable, universal, quantifier.Body);
            }

            Variable bound = new(quantifier.Variable, SortOf(quantifier.VariableType));
            _usedNames.Add(quantifier.Variable);
            Term body = Scoped(quantifier.Variable, bound, () => Formula(quantifier.Body), universal);
            Term? range = RangeCondition(quantifier.VariableType, bound);
            return quantifier.Quantifier == Formal.Quantifier.ForAll
                ? new ForAll(bound, range is null ? body : new Implication(range, body))
                : new Exists(bound, range is null ? body : new Conjunction(range, body));
        }

        private Term Scoped(string name, Term value, Func<Term> translate, bool universal = false)
        {
            return Scoped(name, value, null, translate, universal);
        }

        /// <summary>
        /// Translates with <paramref name="name"/> bound to a scalar term or to a ℂ pair (the other kind of binding of the
        /// name is hidden meanwhile); fresh variables defined in a formula are bound by the binder's quantifier.
        /// </summary>
        private Term Scoped(string name, Term? value, ComplexTerm? complexValue, Func<Term> translate, bool universal)
        {
            Binding outer = Bind(name, value, complexValue);
            List<(Variable Variable, Term Constraint)> outerFresh = _fresh;
            List<(string Symbol, Variable Value, Term Argument)> outerCalls = _calls;
            _fresh = [];
            _calls = [];
            try
            {
                Term body = translate();
                if (body.Sort == SmtSort.BoolSort)
                {
                    // Fresh variables defined under the binder are bound there, with their constraints, by the binder's own
                    // quantifier (each definition has exactly one solution, so ∀ s, c → body and ∃ s, c ∧ body agree).
                    for (int i = _fresh.Count - 1; i >= 0; i--)
                    {
                        body = universal
                            ? new ForAll(_fresh[i].Variable, new Implication(_fresh[i].Constraint, body))
                            : new Exists(_fresh[i].Variable, new Conjunction(_fresh[i].Constraint, body));
                    }
                }
                else
                {
                    // A value (a big operator's term at a literal index, a defined function's body at its arguments): the
                    // name stands for a term of the enclosing scope, so fresh variables defined here belong there.
                    outerFresh.AddRange(_fresh);
                    outerCalls.AddRange(_calls);
                }

                return body;
            }
            finally
            {
                _fresh = outerFresh;
                _calls = outerCalls;
                Bind(name, outer.Value, outer.Complex);
            }
        }

        /// <summary>
        /// Translates a value (not a formula) with <paramref name="name"/> bound to <paramref name="value"/>: the name stands
        /// for a term of the enclosing scope, so fresh variables defined meanwhile belong there (as in <see cref="Scoped(string, Term, Func{Term}, bool)"/>).
        /// </summary>
        private T ScopedValue<T>(string name, Term value, Func<T> translate)
        {
            Binding outer = Bind(name, value, null);
            try
            {
                return translate();
            }
            finally
            {
                Bind(name, outer.Value, outer.Complex);
            }
        }

        /// <summary>Binds a name to a scalar term or a ℂ pair (null: unbound), returning its previous binding.</summary>
        private Binding Bind(string name, Term? value, ComplexTerm? complexValue)
        {
            Binding outer = new(_environment.GetValueOrDefault(name), _complexEnvironment.GetValueOrDefault(name));
            if (value is null)
            {
                _environment.Remove(name);
            }
            else
            {
                _environment[name] = value;
            }

            if (complexValue is null)
            {
                _complexEnvironment.Remove(name);
            }
            else
            {
                _complexEnvironment[name] = complexValue;
            }

            return outer;
        }

        /// <summary>What a name was bound to: a scalar term, a ℂ pair, or neither.</summary>
        private readonly record struct Binding(Term? Value, ComplexTerm? Complex);

        private Term BigOperator(BigOperatorExpr big)
        {
            SmtSort sort = ValueSort(big.Type);
            bool sum = big.Operator == Formal.BigOperator.Sum;
            if (FiniteDomain(big.Domain, big.IndexType, out bool interval) is not { } domain)
            {
                return interval
                    ? SymbolicBigOperator(big)
                    : OpaqueBigOperator(sum ? "sum" : "prod", big.Index, big.IndexType, big.Domain, () => Translate(big.Body));
            }

            Term identity = sum ? Zero(sort) : One(sort);
            return Unrolled(
                big,
                domain,
                index => Scoped(big.Index, index, () => Translate(big.Body)),
                (condition, term) => new IfThenElse(condition, term, identity),
                (result, term) => Op(sum ? ArithmeticOperator.Add : ArithmeticOperator.Multiply, result, term),
                identity);
        }

        /// <summary>
        /// A big operator over a literal domain, unrolled: the body at each element (<paramref name="body"/> of the index
        /// literal), a filtered-out element replaced through <paramref name="unlessFiltered"/> (the identity when the
        /// condition fails), the terms folded left to right by <paramref name="combine"/>; the identity for no element.
        /// One loop for real, ℂ and ZMod terms.
        /// </summary>
        private T Unrolled<T>(
            BigOperatorExpr big,
            (List<BigInteger> Values, List<(string Variable, FormalExpr Predicate)> Filters) domain,
            Func<Term, T> body,
            Func<Term, T, T> unlessFiltered,
            Func<T, T, T> combine,
            T identity)
            where T : class
        {
            T? result = null;
            foreach (BigInteger i in domain.Values)
            {
                Term index = Literal(i, BigInteger.One, big.IndexType);
                T term = body(index);
                if (domain.Filters.Count > 0)
                {
                    Term condition = Terms.All(domain.Filters.Select(filter => Scoped(filter.Variable, index, () => Formula(filter.Predicate))));
                    term = unlessFiltered(condition, term);
                }

                result = result is null ? term : combine(result, term);
            }

            return result ?? identity;
        }

        /// <summary>
        /// The elements of a finite index set given by literals: <c>Finset.range n</c> and the intervals with literal
        /// bounds, <c>Nat.divisors n</c> and <c>Nat.properDivisors n</c> of a literal, each under the predicates of
        /// enclosing <c>Finset.filter</c>s (checked per element); null when a bound is not a literal; unsupported for other
        /// domains or more than <see cref="MaxUnrolled"/> elements.
        /// </summary>
        private static (List<BigInteger> Values, List<(string Variable, FormalExpr Predicate)> Filters)? FiniteDomain(FormalExpr domain, FormalType indexType, out bool interval)
        {
            interval = false;
            List<(string Variable, FormalExpr Predicate)> filters = [];
            while (domain is FilterExpr filter)
            {
                filters.Add((filter.Variable, filter.Predicate));
                domain = filter.Source;
            }

            if (domain is not CallExpr call)
            {
                return null;
            }

            BigInteger low;
            BigInteger high;
            switch (call.Function)
            {
                case FormalFunction.FinsetRange when LiteralValue(call.Arguments[0]) is BigInteger n:
                    (low, high) = (0, n - 1);
                    break;
                case FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc or FormalFunction.FinsetIoo
                    when LiteralValue(call.Arguments[0]) is BigInteger a && LiteralValue(call.Arguments[1]) is BigInteger b:
                    low = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco ? a : a + 1;
                    high = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc ? b : b - 1;
                    break;
                case FormalFunction.FinsetRange or FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc or FormalFunction.FinsetIoo:
                    interval = filters.Count == 0;
                    return null;
                case FormalFunction.NatDivisors or FormalFunction.NatProperDivisors when LiteralValue(call.Arguments[0]) is BigInteger n && n.Sign > 0:
                    {
                        List<BigInteger> divisors = Divisors(n) ?? throw new TranslationException("too many divisors");
                        divisors.Sort();
                        if (call.Function == FormalFunction.NatProperDivisors)
                        {
                            divisors.Remove(n);
                        }

                        return (divisors, filters);
                    }

                case FormalFunction.NatDivisors or FormalFunction.NatProperDivisors when LiteralValue(call.Arguments[0]) is BigInteger zero && zero.IsZero:
                    return ([], filters);
                default:
                    return null;
            }

            if (indexType.Kind == FormalTypeKind.Nat && low.Sign < 0)
            {
                low = 0;
            }

            if (high - low + 1 > MaxUnrolled)
            {
                interval = filters.Count == 0;
                return null;
            }

            List<BigInteger> values = [];
            for (BigInteger i = low; i <= high; i++)
            {
                values.Add(i);
            }

            return (values, filters);
        }

        /// <summary>
        /// ∑/∏ over <c>Finset.range n</c> or an interval with a non-literal bound: with <c>low</c> the first index and
        /// <c>c</c> the number of terms (<c>n</c>, or <c>b - a + 1</c> for <c>Icc a b</c>, 0 when negative), the value is
        /// <c>T(c, p…)</c> of an uninterpreted <c>T</c> that stands for <c>m ↦ ∑_{j &lt; m} body(low + j)</c> (its name is
        /// the body's text with the index and the other free variables <c>p…</c> in positional form, so both statements of
        /// a check share it exactly when their bodies agree), with the recursive definition instantiated at <c>c</c>:
        /// <c>T(0, p…) = 0</c> (1 for ∏), <c>c = 0 → v = 0</c>, <c>c ≥ 1 → v = T(c - 1, p…) + body(low + c - 1)</c> (· for ∏).
        /// </summary>
        private Variable SymbolicBigOperator(BigOperatorExpr big)
        {
            CallExpr call = (CallExpr)big.Domain;
            if (big.IndexType.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int))
            {
                throw new TranslationException("non-literal big-operator bounds over " + big.IndexType);
            }

            bool sum = big.Operator == Formal.BigOperator.Sum;
            SmtSort sort = ValueSort(big.Type);
            Term low;
            Term count;
            if (call.Function == FormalFunction.FinsetRange)
            {
                low = Int(0);
                count = Translate(call.Arguments[0]);
            }
            else
            {
                Term a = Translate(call.Arguments[0]);
                Term b = Translate(call.Arguments[1]);
                low = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco ? a : Op(ArithmeticOperator.Add, a, Int(1));
                Term last = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc ? b : Op(ArithmeticOperator.Subtract, b, Int(1));
                Term span = Op(ArithmeticOperator.Add, Op(ArithmeticOperator.Subtract, last, low), Int(1));
                count = new IfThenElse(Ge(span, Int(0)), span, Int(0));
            }

            // The body at a symbolic index offset j, to name T; and at low + c - 1, for the unrolled step.
            Variable offset = Fresh("j", SmtSort.IntSort);
            (Variable symbol, List<Term> parameters) = Summation(
                (sum ? "sum" : "prod") + "@" + big.IndexType, offset, () => [Scoped(big.Index, Op(ArithmeticOperator.Add, low, offset), () => Translate(big.Body))], sort, SmtSort.IntSort);
            Term identity = sum ? Zero(sort) : One(sort);
            Variable value = Fresh(sum ? "sum" : "prod", sort);
            Term previous = new Application(symbol, [Op(ArithmeticOperator.Subtract, count, Int(1)), .. parameters]);
            Term step = Scoped(big.Index, Op(ArithmeticOperator.Add, low, Op(ArithmeticOperator.Subtract, count, Int(1))), () => Translate(big.Body));
            _fresh.Add((value, Terms.All(
            [
                Eq(value, new Application(symbol, [count, .. parameters])),
                Eq(new Application(symbol, [Int(0), .. parameters]), identity),
                new Implication(Eq(count, Int(0)), Eq(value, identity)),
                new Implication(Ge(count, Int(1)), Eq(value, Op(sum ? ArithmeticOperator.Add : ArithmeticOperator.Multiply, previous, step))),
            ])));
            return value;
        }

        /// <summary>
        /// ∑/∏ (or a cardinality: the sum of 1) over any other finite set (a set variable, divisors of a non-literal, a
        /// filter of a non-literal interval): a fresh <c>v = T(p…)</c> of an uninterpreted <c>T</c> named by the set's
        /// membership predicate and the body (positional form, see <see cref="Summation"/>), so that it is a function of
        /// what the set and body mention, shared by both statements exactly when both agree; no facts (every value is
        /// allowed, which proofs over all interpretations include).
        /// </summary>
        private Variable OpaqueBigOperator(string kind, string index, FormalType indexType, FormalExpr domain, Func<Term> body)
        {
            if (indexType.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int or FormalTypeKind.Real or FormalTypeKind.NNReal))
            {
                throw new TranslationException("big operator over " + indexType);
            }

            Variable element = Fresh("j", SortOf(indexType));
            Term? sample = null;
            (Variable symbol, List<Term> parameters) = Summation(
                kind + "@" + indexType,
                element,
                () =>
                [
                    Scoped(index, element, () => Member(new VariableExpr(index, indexType), domain)),
                    sample = Scoped(index, element, body),
                ],
                null,
                null);
            Variable value = Fresh(kind, sample!.Sort);
            _fresh.Add((value, Eq(value, new Application(symbol, [.. parameters]))));
            return value;
        }

        /// <summary>
        /// The uninterpreted symbol that stands for a sum or product whose terms are <paramref name="terms"/> (translated with
        /// the bound variable <paramref name="indexVariable"/> for the index): its name is the kind and the terms' SMT-LIB text
        /// with the index variable as <c>#j</c>, the other free variables (the parameters, in order of first occurrence) as
        /// <c>#0</c>, <c>#1</c>, …, function symbols as <c>⟨f⟩</c> (renamed with their function, see
        /// <see cref="Terms.RenameEmbedded"/>), and the fresh variables the terms define with their definitions; its
        /// arguments are <paramref name="leading"/> (the count) when given, then the parameters (a dummy 0 when there are none).
        /// </summary>
        private (Variable Symbol, List<Term> Parameters) Summation(string kind, Variable indexVariable, Func<List<Term>> terms, SmtSort? sort, SmtSort? leading)
        {
            List<(Variable Variable, Term Constraint)> outerFresh = _fresh;
            List<(string Symbol, Variable Value, Term Argument)> outerCalls = _calls;
            _fresh = [];
            _calls = [];
            List<Term> parts;
            List<(Variable Variable, Term Constraint)> defined;
            try
            {
                parts = terms();
                defined = _fresh;
            }
            finally
            {
                _fresh = outerFresh;
                _calls = outerCalls;
            }

            List<Term> all = [.. parts, .. defined.Select(static pair => pair.Constraint)];
            HashSet<string> local = new(StringComparer.Ordinal) { indexVariable.Name };
            Dictionary<string, string> positional = new(StringComparer.Ordinal) { [indexVariable.Name] = "#j" };
            for (int i = 0; i < defined.Count; i++)
            {
                local.Add(defined[i].Variable.Name);
                positional[defined[i].Variable.Name] = "#d" + i.ToString(CultureInfo.InvariantCulture);
            }

            List<Term> parameters = [];
            foreach (Variable variable in Terms.FreeVariables(all))
            {
                if (variable.IsFunction)
                {
                    // A nested summation symbol embeds names itself; nesting them would defeat the renaming of embedded names.
                    positional[variable.Name] = variable.Name.Contains('⟨', StringComparison.Ordinal)
                        ? throw new TranslationException("nested big operators with non-literal bounds")
                        : Terms.EmbeddedName(variable.Name);
                }
                else if (!local.Contains(variable.Name))
                {
                    positional[variable.Name] = "#" + parameters.Count.ToString(CultureInfo.InvariantCulture);
                    parameters.Add(variable);
                }
            }

            string text = kind + string.Concat(all.Select(term => " " + SmtLibWriter.Write(term, v => positional[v.Name])));
            SmtSort range = sort ?? parts[^1].Sort;
            List<SmtSort> domain = [.. leading is { } count ? [count] : Array.Empty<SmtSort>(), .. parameters.Select(static v => v.Sort)];
            if (domain.Count == 0)
            {
                domain.Add(SmtSort.IntSort);
                parameters.Add(Int(0));
            }

            return (new Variable(text, range, [.. domain]), parameters);
        }

        private static Arithmetic Op(ArithmeticOperator op, Term left, Term right) => new Arithmetic(op, left, right);

        private static Comparison Eq(Term left, Term right) => new Comparison(ComparisonOperator.Equal, left, right);

        private static Comparison Ge(Term left, Term right) => new Comparison(ComparisonOperator.GreaterOrEqual, left, right);

        private static IntLiteral Int(BigInteger value) => new(value);

        private static RealLiteral Real(BigInteger value) => new(value);

        private static Term Zero(SmtSort sort) => sort == SmtSort.IntSort ? Int(0) : Real(0);

        private static Term One(SmtSort sort) => sort == SmtSort.IntSort ? Int(1) : Real(1);
    }
}
