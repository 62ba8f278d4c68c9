using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;

using Planning.Provers.Lean;

namespace Planning.Provers.Formal;

/// <summary>
/// Turns the untyped <see cref="Syntax"/> of a theorem into the typed IR, assigning types as Lean 4 elaborates
/// them. The rules are documented on <see cref="LeanStatementParser"/>; the names below follow Lean's
/// <c>Lean.Elab.Extra</c> (<c>binop%</c> trees, leaves, the maximal type).
/// </summary>
internal sealed class LeanElaborator
{
    private readonly List<Binding> _scope = [];
    private readonly HashSet<string> _unknownNames = new(StringComparer.Ordinal);
    private List<Binding>? _autoBound;
    private int _lenient;

    private sealed class Binding(string name, FormalType? type)
    {
        public string Name { get; } = name;

        /// <summary>The type; null while a binder without a type has not been given one by its uses.</summary>
        public FormalType? Type { get; set; } = type;
    }

    /// <summary>A binder of a quantifier after splitting groups: a variable, or (<c>(_ : p)</c>) a proposition.</summary>
    private sealed record BinderEntry(string Name, SourcePosition Position, Syntax? TypeSyntax, FormalType? Type, bool IsProposition);

    public FormalStatement ElaborateTheorem(TheoremSyntax theorem)
    {
        try
        {
            return ElaborateTheorem(theorem, []);
        }
        catch (FormalParseException exception) when (exception.Construct is { } name && _unknownNames.Contains(name))
        {
            // Lean binds an unknown plain name in a theorem's signature as an implicit variable (autoImplicit), as in
            // `(∏ k in s, 1 + 1 / k)`, where `k` is outside the product. Pass one finds such names and their types.
            List<Binding> autoBound = [];
            bool abandoned = false;
            _scope.Clear();
            _autoBound = autoBound;
            _lenient++;
            try
            {
                ElaborateTheorem(theorem, []);
            }
            catch (FormalParseException retry)
            {
                // A type error is reported by pass two if it is real; anything else keeps the original verdict.
                abandoned = retry.Kind != FormalParseErrorKind.Type;
            }
            finally
            {
                _lenient--;
                _autoBound = null;
                _scope.Clear();
            }

            if (abandoned || autoBound.Count == 0 || autoBound.Any(static cell => cell.Type is { IsNumeric: false }))
            {
                // Only number-valued implicit variables are in the subset.
                throw;
            }

            return ElaborateTheorem(theorem, [.. autoBound.Select(static cell => new FormalVariable(cell.Name, cell.Type ?? FormalType.Nat))]);
        }
    }

    private FormalStatement ElaborateTheorem(TheoremSyntax theorem, ImmutableArray<FormalVariable> implicitVariables)
    {
        ImmutableArray<FormalVariable>.Builder variables = ImmutableArray.CreateBuilder<FormalVariable>();
        ImmutableArray<FormalHypothesis>.Builder hypotheses = ImmutableArray.CreateBuilder<FormalHypothesis>();
        foreach (FormalVariable variable in implicitVariables)
        {
            variables.Add(variable);
            _scope.Add(new Binding(variable.Name, variable.Type));
        }

        bool positive = false;
        foreach (TheoremBinderSyntax binder in theorem.Binders)
        {
            if (binder.TypeSyntax is PositiveNatSyntax)
            {
                // (x : ℕ+) is (x : ℕ) (x_pos : 0 < x): ℕ+ is the subtype of positive naturals, and its coercions to ℕ, ℤ,
                // ℚ and ℝ, sums, products, powers and comparisons are those of ℕ on the values. Its subtraction
                // (truncated at 1) and division are not, so a statement with either is refused below.
                positive = true;
                foreach ((string name, SourcePosition position) in binder.Names)
                {
                    AddVariable(name, position, FormalType.Nat);
                    hypotheses.Add(new FormalHypothesis(name + "_pos", new RelationExpr(RelationOperator.Less, new NumeralExpr(0, FormalType.Nat), new VariableExpr(name, FormalType.Nat))));
                }
            }
            else if (TryReadType(binder.TypeSyntax, out FormalType? type))
            {
                foreach ((string name, SourcePosition position) in binder.Names)
                {
                    AddVariable(name, position, type);
                }
            }
            else
            {
                FormalExpr proposition = Elaborate(binder.TypeSyntax, FormalType.Prop);
                foreach ((string name, _) in binder.Names)
                {
                    hypotheses.Add(new FormalHypothesis(name, proposition));
                }
            }
        }

        FormalExpr conclusion = Elaborate(theorem.Conclusion, FormalType.Prop);
        FormalStatement statement = new(theorem.Name, variables.ToImmutable(), hypotheses.ToImmutable(), conclusion);
        if (positive && NaturalSubtractionOrDivision(statement) is { } operation)
        {
            throw FormalParseException.Unsupported(theorem.Binders[0].Position, "ℕ+ with ℕ " + operation);
        }

        return statement;

        void AddVariable(string name, SourcePosition position, FormalType type)
        {
            if (name == "_")
            {
                throw FormalParseException.Unsupported(position, "anonymous variable _");
            }

            if (variables.Any(variable => variable.Name == name))
            {
                throw FormalParseException.Unsupported(position, "shadowed variable " + name);
            }

            variables.Add(new FormalVariable(name, type));
            _scope.Add(new Binding(name, type));
        }
    }

    /// <summary>The first ℕ subtraction, division or remainder in the statement (by its operator's name), or null.</summary>
    private static string? NaturalSubtractionOrDivision(FormalStatement statement)
    {
        IEnumerable<FormalExpr> parts = statement.Hypotheses.Select(static h => h.Proposition).Append(statement.Conclusion);
        foreach (FormalExpr part in parts)
        {
            foreach (FormalExpr node in Evaluation.ExprTree.Descendants(part))
            {
                if (node is ArithmeticExpr { Operator: NumericOperator.Subtract or NumericOperator.Divide or NumericOperator.Modulo } arithmetic
                    && arithmetic.Type.Kind == FormalTypeKind.Nat)
                {
                    return arithmetic.Operator.ToString().ToLowerInvariant();
                }
            }
        }

        return null;
    }

    // ---- Types written in the source ----

    /// <summary>
    /// Reads <paramref name="syntax"/> as a type when it is one (<c>ℕ</c>, <c>ℕ → ℝ</c>, <c>Finset ℕ</c>, <c>Set ℝ</c>,
    /// <c>NNReal</c>); returns false for anything else, which is then a proposition or a term.
    /// </summary>
    private bool TryReadType(Syntax syntax, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FormalType? type)
    {
        switch (syntax)
        {
            case TypeAtomSyntax atom:
                type = atom.Type;
                return true;
            case NameSyntax { Name: "NNReal" }:
                type = FormalType.NNReal;
                return true;
            case NameSyntax { Name: "Prop" or "Type" or "Sort" } name:
                throw FormalParseException.Unsupported(name.Position, name.Name + " as a binder type");
            case BinarySyntax { Operator: SyntaxOperator.Arrow } arrow when TryReadType(arrow.Left, out FormalType? domain):
                if (!TryReadType(arrow.Right, out FormalType? codomain))
                {
                    throw FormalParseException.TypeError(arrow.Right.Position, "expected a type after '→'");
                }

                type = FormalType.Function(domain, codomain);
                return true;
            case ApplicationSyntax { Head: NameSyntax { Name: "Equiv" } head, Arguments: [Syntax source, Syntax target] }:
                if (!TryReadType(source, out FormalType? sourceType) || !TryReadType(target, out FormalType? targetType))
                {
                    throw FormalParseException.TypeError(head.Position, "expected two types after 'Equiv'");
                }

                type = FormalType.Equiv(sourceType, targetType);
                return true;
            case ApplicationSyntax { Head: NameSyntax { Name: "ZMod" } head, Arguments: [Syntax modulus] }:
                {
                    BigInteger? value = LiteralValue(modulus);
                    if (value is null)
                    {
                        // ZMod p for a ℕ variable p of the statement: read, so that the statement parses; not translated.
                        if (modulus is NameSyntax { Name: var name } && _scope.LastOrDefault(b => b.Name == name) is { Type.Kind: FormalTypeKind.Nat })
                        {
                            type = FormalType.ZModOf(name);
                            return true;
                        }

                        throw FormalParseException.Unsupported(modulus.Position, "ZMod with a non-literal modulus");
                    }

                    if (value.Value.Sign == 0)
                    {
                        throw FormalParseException.Unsupported(modulus.Position, "ZMod 0");
                    }

                    type = FormalType.ZModOf(value.Value);
                    return true;
                }

            case ApplicationSyntax { Head: NameSyntax { Name: "Finset" or "Set" } head, Arguments: [Syntax element] }:
                if (!TryReadType(element, out FormalType? elementType))
                {
                    throw FormalParseException.TypeError(element.Position, $"expected a type after '{head.Name}'");
                }

                type = head.Name == "Set" ? FormalType.Set(elementType) : FormalType.Finset(elementType);
                return true;
            default:
                type = null;
                return false;
        }
    }

    /// <summary>The value of a closed ℕ expression of literals (<c>11 ^ 2</c>, <c>2 * 7</c>), or null for anything else.</summary>
    private static BigInteger? LiteralValue(Syntax syntax)
    {
        const int MaxExponent = 4096;
        switch (syntax)
        {
            case NumberSyntax number:
                return number.Value;
            case BinarySyntax { Operator: SyntaxOperator.Add or SyntaxOperator.Multiply or SyntaxOperator.Power } binary:
                if (LiteralValue(binary.Left) is not BigInteger left || LiteralValue(binary.Right) is not BigInteger right)
                {
                    return null;
                }

                return binary.Operator switch
                {
                    SyntaxOperator.Add => left + right,
                    SyntaxOperator.Multiply => left * right,
                    _ => right <= MaxExponent ? BigInteger.Pow(left, (int)right) : null,
                };
            default:
                return null;
        }
    }

    private FormalType ReadType(Syntax syntax)
    {
        if (TryReadType(syntax, out FormalType? type))
        {
            return type;
        }

        NameSyntax? head = syntax as NameSyntax ?? (syntax as ApplicationSyntax)?.Head as NameSyntax;
        if (head is not null)
        {
            throw FormalParseException.Unsupported(head.Position, head.Name);
        }

        throw FormalParseException.TypeError(syntax.Position, "expected a type");
    }

    // ---- Elaboration ----

    /// <summary>
    /// Elaborates <paramref name="syntax"/> against an expected type (null: none) and, when one is given, coerces the
    /// result to it (or fails). <paramref name="defaulted"/> marks an expected type that is only Lean's default (ℕ),
    /// which must not fix the type of a binder still being inferred.
    /// </summary>
    private FormalExpr Elaborate(Syntax syntax, FormalType? expected, bool defaulted = false)
    {
        FormalExpr result = IsArithmetic(syntax) ? ElaborateTree(syntax, expected, defaulted) : Core(syntax, expected, defaulted);
        return expected is null ? result : Ensure(result, expected, syntax.Position);
    }

    private static bool IsArithmetic(Syntax syntax)
    {
        return syntax is NegateSyntax
            or BinarySyntax { Operator: SyntaxOperator.Add or SyntaxOperator.Subtract or SyntaxOperator.Multiply
                or SyntaxOperator.Divide or SyntaxOperator.Modulo or SyntaxOperator.Power };
    }

    private static bool IsRelation(SyntaxOperator op)
    {
        return op is SyntaxOperator.Equal or SyntaxOperator.NotEqual or SyntaxOperator.Less or SyntaxOperator.LessEqual
            or SyntaxOperator.Greater or SyntaxOperator.GreaterEqual;
    }

    /// <summary>The leaves of a <c>binop%</c> tree: operands of + - * / % and unary -, and the base (not the exponent) of ^.</summary>
    private static void CollectLeaves(Syntax syntax, List<Syntax> leaves)
    {
        switch (syntax)
        {
            case NegateSyntax negate:
                CollectLeaves(negate.Operand, leaves);
                break;
            case BinarySyntax { Operator: SyntaxOperator.Power } power:
                CollectLeaves(power.Left, leaves);
                break;
            case BinarySyntax binary when IsArithmetic(binary):
                CollectLeaves(binary.Left, leaves);
                CollectLeaves(binary.Right, leaves);
                break;
            default:
                leaves.Add(syntax);
                break;
        }
    }

    private FormalExpr ElaborateTree(Syntax syntax, FormalType? expected, bool defaulted)
    {
        List<Syntax> leaves = [];
        CollectLeaves(syntax, leaves);
        Dictionary<Syntax, FormalExpr> own = ElaborateOwnLeaves(leaves);
        FormalType? max = MaxType(leaves, own, expected is { IsNumeric: true } ? expected : null);
        bool isDefault = own.Count == 0 && (expected is null || defaulted);
        return BuildTree(syntax, max ?? FormalType.Nat, isDefault, own);
    }

    /// <summary>
    /// Elaborates, in order and without an expected type, the leaves that have a type of their own (Lean elaborates
    /// every leaf before it analyses the tree, so a use such as <c>f x</c> fixes the type of a binder <c>x</c> that
    /// another leaf mentions); then the leaves that got a type of their own that way.
    /// </summary>
    private Dictionary<Syntax, FormalExpr> ElaborateOwnLeaves(List<Syntax> leaves)
    {
        Dictionary<Syntax, FormalExpr> own = new(ReferenceEqualityComparer.Instance);
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (Syntax leaf in leaves)
            {
                if (!own.ContainsKey(leaf) && Intrinsic(leaf) is not null)
                {
                    own[leaf] = Core(leaf, null, false);
                }
            }
        }

        return own;
    }

    /// <summary>
    /// The maximal type of a tree (Lean's <c>analyze</c>): the join of the expected type and the types of the leaves
    /// that have one of their own; null when there are none.
    /// </summary>
    private FormalType? MaxType(List<Syntax> leaves, Dictionary<Syntax, FormalExpr> own, FormalType? seed)
    {
        FormalType? max = seed;
        foreach (Syntax leaf in leaves)
        {
            if (!own.TryGetValue(leaf, out FormalExpr? elaborated))
            {
                continue;
            }

            FormalType type = elaborated.Type;
            if (max is null)
            {
                max = type;
                continue;
            }

            FormalType? join = FormalType.Join(max, type);
            if (join is null)
            {
                TypeError(leaf.Position, $"cannot combine {max} and {type} in one expression");
                continue;
            }

            max = join;
        }

        return max;
    }

    /// <summary>Builds a tree at its maximal type: leaves with a type of their own are coerced to it, the others elaborated at it.</summary>
    private FormalExpr BuildTree(Syntax syntax, FormalType max, bool isDefault, Dictionary<Syntax, FormalExpr> own)
    {
        switch (syntax)
        {
            case NegateSyntax negate:
                if (max.Kind is FormalTypeKind.Nat or FormalTypeKind.NNReal)
                {
                    TypeError(negate.Position, $"{max} has no negation");
                }

                return new NegateExpr(BuildTree(negate.Operand, max, isDefault, own));
            case BinarySyntax { Operator: SyntaxOperator.Power } power:
                return new ArithmeticExpr(NumericOperator.Power, BuildTree(power.Left, max, isDefault, own), Elaborate(power.Right, null));
            case BinarySyntax binary when IsArithmetic(binary):
                return new ArithmeticExpr(
                    ToArithmetic(binary.Operator), BuildTree(binary.Left, max, isDefault, own), BuildTree(binary.Right, max, isDefault, own));
            default:
                return own.TryGetValue(syntax, out FormalExpr? elaborated)
                    ? Ensure(elaborated, max, syntax.Position)
                    : Elaborate(syntax, max, isDefault);
        }
    }

    private static NumericOperator ToArithmetic(SyntaxOperator op)
    {
        return op switch
        {
            SyntaxOperator.Add => NumericOperator.Add,
            SyntaxOperator.Subtract => NumericOperator.Subtract,
            SyntaxOperator.Multiply => NumericOperator.Multiply,
            SyntaxOperator.Divide => NumericOperator.Divide,
            SyntaxOperator.Modulo => NumericOperator.Modulo,
            _ => NumericOperator.Power,
        };
    }

    private FormalExpr Ensure(FormalExpr expression, FormalType expected, SourcePosition position)
    {
        if (expression.Type == expected)
        {
            return expression;
        }

        if (expression.Type.CanCoerceTo(expected))
        {
            return new CastExpr(expression, expected);
        }

        TypeError(position, $"expected {expected} but found {expression.Type}");
        return expression;
    }

    /// <summary>Reports a type error: thrown, except while inferring binder types (pass one), where elaboration goes on.</summary>
    private void TypeError(SourcePosition position, string message)
    {
        if (_lenient == 0)
        {
            throw FormalParseException.TypeError(position, message);
        }
    }

    private FormalExpr Core(Syntax syntax, FormalType? expected, bool defaulted)
    {
        switch (syntax)
        {
            case NumberSyntax number:
                return new NumeralExpr(number.Value, NumeralType(expected, number.Position, "a numeral"));
            case ScientificSyntax scientific:
                if (expected is null || defaulted)
                {
                    // Lean elaborates an unconstrained decimal as a Float.
                    throw FormalParseException.Unsupported(scientific.Position, "decimal literal without a type (Float)");
                }

                FormalType decimalType = NumeralType(expected, scientific.Position, "a decimal literal");
                if (decimalType.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
                {
                    TypeError(scientific.Position, $"a decimal literal has no value in {decimalType}");
                }

                return new ScientificExpr(scientific.Mantissa, scientific.Exponent, decimalType);
            case TypeAtomSyntax atom:
                throw FormalParseException.TypeError(atom.Position, $"the type {atom.Type} is used as a value");
            case NameSyntax name:
                return ElaborateName(name, expected, defaulted);
            case CoercionSyntax coercion:
                return ElaborateCoercion(coercion, expected, defaulted);
            case AscriptionSyntax ascription:
                return Elaborate(ascription.Inner, ReadType(ascription.TypeSyntax));
            case NotSyntax not:
                return new NotExpr(Elaborate(not.Operand, FormalType.Prop));
            case BinarySyntax binary:
                return ElaborateBinary(binary);
            case NotationSyntax notation:
                return ElaborateCall(FormalFunctions.Get(notation.Function), notation.Arguments, expected, defaulted, notation.Position);
            case ApplicationSyntax application:
                return ElaborateApplication(application, expected, defaulted);
            case FieldSyntax field:
                (FunctionSignature signature, Syntax target) = ResolveField(field);
                return ElaborateCall(signature, [target], expected, defaulted, field.Position);
            case QuantifierSyntax quantifier:
                return ElaborateQuantifier(quantifier);
            case BigOperatorSyntax bigOperator:
                return ElaborateBigOperator(bigOperator, expected, defaulted);
            case SetBuilderSyntax setBuilder:
                return ElaborateSetBuilder(setBuilder, expected);
            case FilterSyntax filter:
                return ElaborateFilter(filter);
            case LambdaSyntax lambda:
                throw FormalParseException.Unsupported(lambda.Position, "fun");
            case TupleSyntax tuple:
                throw FormalParseException.Unsupported(tuple.Position, "tuple ( , )");
            case ListSyntax list:
                throw FormalParseException.Unsupported(list.Position, "list literal [ … ]");
            case RelationSectionSyntax section:
                throw FormalParseException.Unsupported(section.Position, "operator section (· ·)");
            case PositiveNatSyntax positiveNat:
                throw FormalParseException.Unsupported(positiveNat.Position, "ℕ+");
            case ProjectionSyntax projection:
                throw FormalParseException.Unsupported(projection.IndexPosition, "projection ." + projection.Index.ToString(CultureInfo.InvariantCulture) + " without an argument");
            default:
                throw FormalParseException.Syntax(syntax.Position, "unexpected syntax");
        }
    }

    private FormalType NumeralType(FormalType? expected, SourcePosition position, string what)
    {
        if (expected is null)
        {
            return FormalType.Nat;
        }

        if (!expected.IsNumeric)
        {
            TypeError(position, $"{what} cannot have type {expected}");
            return FormalType.Nat;
        }

        return expected;
    }

    private FormalExpr ElaborateName(NameSyntax name, FormalType? expected, bool defaulted)
    {
        Binding? binding = Lookup(name.Name);
        if (binding is not null)
        {
            if (binding.Type is null)
            {
                if (expected == FormalType.Prop)
                {
                    throw FormalParseException.Unsupported(name.Position, "variable of type Prop");
                }

                // A binder whose type is still being inferred: the first real expected type fixes it.
                if (expected is not null && !defaulted)
                {
                    binding.Type = expected;
                }

                return new VariableExpr(name.Name, expected ?? FormalType.Nat);
            }

            return new VariableExpr(name.Name, binding.Type);
        }

        if (FormalFunctions.TryGet(name.Name, out FunctionSignature? signature))
        {
            return ElaborateCall(signature, [], expected, defaulted, name.Position);
        }

        if (TryRewriteDotted(name, out FieldSyntax? field))
        {
            return Core(field, expected, defaulted);
        }

        if (!name.Name.Contains('.', StringComparison.Ordinal))
        {
            if (_autoBound is not null)
            {
                Binding cell = new(name.Name, null);
                _autoBound.Add(cell);
                return ElaborateName(name, expected, defaulted);
            }

            _unknownNames.Add(name.Name);
        }

        throw FormalParseException.Unsupported(name.Position, name.Name);
    }

    private Binding? Lookup(string name)
    {
        for (int i = _scope.Count - 1; i >= 0; i--)
        {
            if (_scope[i].Name == name)
            {
                return _scope[i];
            }
        }

        return _autoBound?.Find(cell => cell.Name == name);
    }

    /// <summary>Rewrites <c>S.card</c> or <c>x.divisors.card</c> (a variable or constant followed by fields) into field accesses.</summary>
    private bool TryRewriteDotted(NameSyntax name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FieldSyntax? field)
    {
        string[] parts = name.Name.Split('.');
        for (int prefixLength = parts.Length - 1; prefixLength >= 1; prefixLength--)
        {
            string prefix = string.Join('.', parts[..prefixLength]);
            bool resolves = Lookup(prefix) is not null
                || (FormalFunctions.TryGet(prefix, out FunctionSignature? constant) && constant.Arity == 0);
            if (!resolves)
            {
                continue;
            }

            Syntax target = new NameSyntax(name.Position, prefix);
            field = null;
            for (int i = prefixLength; i < parts.Length; i++)
            {
                field = new FieldSyntax(name.Position, target, parts[i], name.Position);
                target = field;
            }

            return field is not null;
        }

        field = null;
        return false;
    }

    /// <summary>Generalized field notation: <c>e.f</c> with <c>e : T</c> is <c>T.f e</c>, as in Lean.</summary>
    private (FunctionSignature Signature, Syntax Target) ResolveField(FieldSyntax field)
    {
        // A target without a type of its own is elaborated alone, which also reports an unsupported one (Nat.digits n).
        FormalType? targetType = Intrinsic(field.Target) ?? Elaborate(field.Target, null).Type;
        string? space = targetType?.Kind switch
        {
            FormalTypeKind.Nat => "Nat",
            FormalTypeKind.Int => "Int",
            FormalTypeKind.Rat => "Rat",
            FormalTypeKind.Real => "Real",
            FormalTypeKind.Complex => "Complex",
            FormalTypeKind.NNReal => "NNReal",
            FormalTypeKind.Finset => "Finset",
            FormalTypeKind.Set => "Set",
            _ => null,
        };
        if (space is null)
        {
            throw FormalParseException.Unsupported(field.FieldPosition, "field ." + field.Field);
        }

        string fullName = space + "." + field.Field;
        if (!FormalFunctions.TryGet(fullName, out FunctionSignature? signature) || signature.Arity == 0)
        {
            throw FormalParseException.Unsupported(field.FieldPosition, fullName);
        }

        return (signature, field.Target);
    }

    private FormalExpr ElaborateCoercion(CoercionSyntax coercion, FormalType? expected, bool defaulted)
    {
        // Lean's `↑e` elaborates e without an expected type and then coerces it to the expected type; a pending e
        // (a numeral) simply takes that type.
        if (expected is null)
        {
            return Elaborate(coercion.Operand, null);
        }

        // A binder of unknown type under ↑ is not given the expected type: ↑ says its type is another one.
        return Intrinsic(coercion.Operand) is null
            ? Elaborate(coercion.Operand, expected, defaulted: true)
            : Ensure(Elaborate(coercion.Operand, null), expected, coercion.Position);
    }

    private FormalExpr ElaborateBinary(BinarySyntax binary)
    {
        switch (binary.Operator)
        {
            case SyntaxOperator.And or SyntaxOperator.Or or SyntaxOperator.Iff or SyntaxOperator.Arrow:
                if (binary.Operator == SyntaxOperator.Arrow && TryReadType(binary, out FormalType? functionType))
                {
                    throw FormalParseException.TypeError(binary.Position, $"the type {functionType} is used as a proposition");
                }

                LogicalOperator logical = binary.Operator switch
                {
                    SyntaxOperator.And => LogicalOperator.And,
                    SyntaxOperator.Or => LogicalOperator.Or,
                    SyntaxOperator.Iff => LogicalOperator.Iff,
                    _ => LogicalOperator.Implies,
                };
                return new LogicalExpr(logical, Elaborate(binary.Left, FormalType.Prop), Elaborate(binary.Right, FormalType.Prop));
            case SyntaxOperator.Divides:
                {
                    // Dvd.dvd is an ordinary application: the first argument with a type of its own fixes α.
                    FormalType? alpha = Intrinsic(binary.Left) ?? Intrinsic(binary.Right);
                    bool isDefault = alpha is null;
                    alpha ??= FormalType.Nat;
                    return new RelationExpr(
                        RelationOperator.Divides, Elaborate(binary.Left, alpha, isDefault), Elaborate(binary.Right, alpha, isDefault));
                }

            case SyntaxOperator.Member or SyntaxOperator.NotMember:
                return ElaborateMembership(binary);
            case SyntaxOperator.Equal or SyntaxOperator.NotEqual when binary.Left is TupleSyntax left && binary.Right is TupleSyntax right:
                {
                    // Prod.mk.injEq: (a, b) = (c, d) ↔ a = c ∧ b = d, each component its own equation (its own type).
                    if (left.Items.Length != right.Items.Length)
                    {
                        throw FormalParseException.TypeError(binary.Position, $"tuples of {left.Items.Length} and {right.Items.Length} components compared");
                    }

                    FormalExpr components = ElaborateBinary(binary with { Operator = SyntaxOperator.Equal, Left = left.Items[^1], Right = right.Items[^1] });
                    for (int i = left.Items.Length - 2; i >= 0; i--)
                    {
                        components = new LogicalExpr(LogicalOperator.And, ElaborateBinary(binary with { Operator = SyntaxOperator.Equal, Left = left.Items[i], Right = right.Items[i] }), components);
                    }

                    return binary.Operator == SyntaxOperator.Equal ? components : new NotExpr(components);
                }

            default:
                {
                    // binrel%: both sides form one tree with one maximal type.
                    List<Syntax> leaves = [];
                    CollectLeaves(binary.Left, leaves);
                    CollectLeaves(binary.Right, leaves);
                    Dictionary<Syntax, FormalExpr> own = ElaborateOwnLeaves(leaves);
                    FormalType type = MaxType(leaves, own, null) ?? FormalType.Nat;
                    bool isDefault = own.Count == 0;
                    return new RelationExpr(
                        ToRelation(binary.Operator), BuildTree(binary.Left, type, isDefault, own), BuildTree(binary.Right, type, isDefault, own));
                }
        }
    }

    private static RelationOperator ToRelation(SyntaxOperator op)
    {
        return op switch
        {
            SyntaxOperator.Equal => RelationOperator.Equal,
            SyntaxOperator.NotEqual => RelationOperator.NotEqual,
            SyntaxOperator.Less => RelationOperator.Less,
            SyntaxOperator.LessEqual => RelationOperator.LessEqual,
            SyntaxOperator.Greater => RelationOperator.Greater,
            _ => RelationOperator.GreaterEqual,
        };
    }

    private RelationExpr ElaborateMembership(BinarySyntax binary)
    {
        FormalType? collection = Intrinsic(binary.Right);
        FormalTypeKind kind;
        if (collection is not null)
        {
            if (!collection.IsCollection)
            {
                throw FormalParseException.TypeError(binary.Right.Position, $"expected a Set or Finset but found {collection}");
            }

            kind = collection.Kind;
        }
        else
        {
            FormalTypeKind? pending = PendingCollectionKind(binary.Right);
            if (pending is null)
            {
                // Elaborating it on its own reports an unsupported construct, or shows what it is.
                FormalType alone = Elaborate(binary.Right, null).Type;
                pending = alone.IsCollection
                    ? alone.Kind
                    : throw FormalParseException.TypeError(binary.Right.Position, $"expected a Set or Finset but found {alone}");
            }

            kind = pending.Value;
        }

        FormalType? element = collection?.Element ?? Intrinsic(binary.Left);
        bool isDefault = element is null;
        element ??= FormalType.Nat;
        FormalType collectionType = kind == FormalTypeKind.Set ? FormalType.Set(element) : FormalType.Finset(element);
        FormalExpr right = Elaborate(binary.Right, collectionType, isDefault);
        FormalExpr left = Elaborate(binary.Left, element, isDefault);
        return new RelationExpr(binary.Operator == SyntaxOperator.Member ? RelationOperator.Member : RelationOperator.NotMember, left, right);
    }

    /// <summary>Whether a collection whose element type is not yet known is a Set or a Finset.</summary>
    private static FormalTypeKind? PendingCollectionKind(Syntax syntax)
    {
        switch (Normalize(syntax))
        {
            case SetBuilderSyntax:
                return FormalTypeKind.Set;
            case FilterSyntax:
                return FormalTypeKind.Finset;
            case ApplicationSyntax { Head: NameSyntax head } when FormalFunctions.TryGet(head.Name, out FunctionSignature? signature):
                return signature.Result.Kind switch
                {
                    TypePatternKind.FinsetOfAlpha => FormalTypeKind.Finset,
                    TypePatternKind.SetOfAlpha => FormalTypeKind.Set,
                    _ => null,
                };
            default:
                return null;
        }
    }

    // ---- Applications ----

    /// <summary>Flattens <c>(f a) b</c> and rewrites the function forms <c>Finset.sum s f</c>, <c>Finset.prod s f</c>, <c>Finset.filter p s</c>.</summary>
    private static Syntax Normalize(Syntax syntax)
    {
        if (syntax is not ApplicationSyntax application)
        {
            return syntax;
        }

        while (application.Head is ApplicationSyntax inner)
        {
            application = new ApplicationSyntax(inner.Position, inner.Head, inner.Arguments.AddRange(application.Arguments));
        }

        if (application is not { Head: NameSyntax head, Arguments: [Syntax first, Syntax second] })
        {
            return application;
        }

        switch (head.Name)
        {
            case "Finset.sum" or "Finset.prod":
                BigOperator op = head.Name == "Finset.sum" ? BigOperator.Sum : BigOperator.Product;
                return second switch
                {
                    LambdaSyntax lambda => new BigOperatorSyntax(head.Position, op, lambda.Variable, lambda.VariablePosition, lambda.VariableType, first, lambda.Body),

                    // The identity, bare or ascribed (`(id : ℕ → ℕ)`, the domain then types the index): ∑ i in s, i.
                    NameSyntax { Name: "id" } identity => new BigOperatorSyntax(head.Position, op, "i", identity.Position, null, first, new NameSyntax(identity.Position, "i")),
                    AscriptionSyntax { Inner: NameSyntax { Name: "id" }, TypeSyntax: BinarySyntax { Operator: SyntaxOperator.Arrow } arrow } identity =>
                        new BigOperatorSyntax(head.Position, op, "i", identity.Position, arrow.Left, first, new NameSyntax(identity.Position, "i")),
                    NameSyntax function => new BigOperatorSyntax(
                        head.Position, op, IndexFor(function), function.Position, null, first,
                        new ApplicationSyntax(function.Position, function, [new NameSyntax(function.Position, IndexFor(function))])),
                    _ => throw FormalParseException.Unsupported(second.Position, head.Name + " of a function term"),
                };
            case "Finset.filter":
                return first switch
                {
                    LambdaSyntax lambda => new FilterSyntax(head.Position, lambda, second),
                    NameSyntax predicate => new FilterSyntax(
                        head.Position,
                        new LambdaSyntax(predicate.Position, IndexFor(predicate), predicate.Position, null,
                            new ApplicationSyntax(predicate.Position, predicate, [new NameSyntax(predicate.Position, IndexFor(predicate))])),
                        second),
                    _ => throw FormalParseException.Unsupported(first.Position, "Finset.filter with a predicate term"),
                };
            default:
                return application;
        }
    }

    private static string IndexFor(NameSyntax function)
    {
        return function.Name == "i" ? "j" : "i";
    }

    private FormalExpr ElaborateApplication(ApplicationSyntax application, FormalType? expected, bool defaulted)
    {
        Syntax normalized = Normalize(application);
        if (normalized is not ApplicationSyntax flat)
        {
            return Core(normalized, expected, defaulted);
        }

        switch (flat.Head)
        {
            case NameSyntax name:
                {
                    Binding? binding = Lookup(name.Name);
                    if (binding is not null)
                    {
                        return ElaborateApply(name, binding, flat.Arguments);
                    }

                    if (FormalFunctions.TryGet(name.Name, out FunctionSignature? signature))
                    {
                        return ElaborateCall(signature, flat.Arguments, expected, defaulted, flat.Position);
                    }

                    if (TryRewriteDotted(name, out FieldSyntax? field))
                    {
                        (FunctionSignature method, Syntax target) = ResolveField(field);
                        return ElaborateCall(method, flat.Arguments.Insert(0, target), expected, defaulted, flat.Position);
                    }

                    throw FormalParseException.Unsupported(name.Position, name.Name);
                }

            case FieldSyntax field:
                {
                    (FunctionSignature method, Syntax target) = ResolveField(field);
                    return ElaborateCall(method, flat.Arguments.Insert(0, target), expected, defaulted, flat.Position);
                }

            case ProjectionSyntax projection:
                return ElaborateProjection(projection, flat.Arguments);
            case LambdaSyntax lambda:
                throw FormalParseException.Unsupported(lambda.Position, "fun");
            case NotationSyntax { Function: var function } notation:
                throw FormalParseException.Unsupported(notation.Position, "application of " + FormalFunctions.Get(function).Name + " to further arguments");
            default:
                throw FormalParseException.Unsupported(flat.Head.Position, "application of a term that is not a name");
        }
    }

    /// <summary>
    /// <c>σ.1 a</c> / <c>σ.2 b</c> for <c>σ : Equiv A B</c>: Mathlib's <c>Equiv.toFun</c> (A → B) and <c>Equiv.invFun</c> (B → A).
    /// </summary>
    private ApplyExpr ElaborateProjection(ProjectionSyntax projection, ImmutableArray<Syntax> arguments)
    {
        if (projection.Target is not NameSyntax name || Lookup(name.Name) is not { Type: { Kind: FormalTypeKind.Equiv } equiv } binding)
        {
            throw FormalParseException.Unsupported(projection.IndexPosition, "projection ." + projection.Index.ToString(CultureInfo.InvariantCulture) + " of a term that is not an equivalence");
        }

        bool inverse = projection.Index == 2;
        FormalType function = inverse ? FormalType.Function(equiv.Codomain!, equiv.Domain!) : FormalType.Function(equiv.Domain!, equiv.Codomain!);
        ApplyExpr applied = ElaborateApply(name, binding, arguments, function);
        return applied with { Inverse = inverse };
    }

    private static FormalType? ProjectionIntrinsic(ProjectionSyntax projection, FormalType? target, int arguments)
    {
        if (target is not { Kind: FormalTypeKind.Equiv } || arguments != 1)
        {
            return null;
        }

        return projection.Index == 2 ? target.Domain : target.Codomain;
    }

    private ApplyExpr ElaborateApply(NameSyntax name, Binding binding, ImmutableArray<Syntax> arguments, FormalType? functionType = null)
    {
        FormalType type = functionType ?? binding.Type
            ?? throw FormalParseException.TypeError(name.Position, $"cannot infer the type of the function {name.Name}");
        ImmutableArray<FormalExpr>.Builder elaborated = ImmutableArray.CreateBuilder<FormalExpr>(arguments.Length);
        foreach (Syntax argument in arguments)
        {
            if (type.Kind != FormalTypeKind.Function)
            {
                throw FormalParseException.TypeError(argument.Position, $"{name.Name} is not a function of {arguments.Length} argument(s)");
            }

            elaborated.Add(Elaborate(argument, type.Domain!));
            type = type.Codomain!;
        }

        if (type.Kind == FormalTypeKind.Function)
        {
            throw FormalParseException.Unsupported(name.Position, "partial application of " + name.Name);
        }

        return new ApplyExpr(new VariableExpr(name.Name, binding.Type ?? functionType!), elaborated.MoveToImmutable(), type);
    }

    /// <summary>
    /// A library call. α is fixed as Lean's <c>elabAppArgs</c> fixes it: by the expected type when the result mentions
    /// α, else by the first argument with a type of its own, else ℕ (numeral defaulting); then every argument is
    /// elaborated against its parameter type, with coercions.
    /// </summary>
    private CallExpr ElaborateCall(
        FunctionSignature signature, ImmutableArray<Syntax> arguments, FormalType? expected, bool defaulted, SourcePosition position)
    {
        if (arguments.Length < signature.Arity)
        {
            throw FormalParseException.Unsupported(position, "partial application of " + signature.Name);
        }

        if (arguments.Length > signature.Arity)
        {
            throw FormalParseException.TypeError(arguments[signature.Arity].Position, $"{signature.Name} takes {signature.Arity} argument(s)");
        }

        FormalType? alpha = null;
        bool alphaDefaulted = false;
        if (signature.MentionsAlpha)
        {
            if (expected is not null)
            {
                alpha = signature.Result.MatchAlpha(expected);
                alphaDefaulted = defaulted;
            }

            for (int i = 0; alpha is null && i < arguments.Length; i++)
            {
                alpha = signature.Parameters[i].MatchAlpha(Intrinsic(arguments[i]));
            }

            if (alpha is null)
            {
                alpha = FormalType.Nat;
                alphaDefaulted = true;
            }
        }

        FormalType instance = alpha ?? FormalType.Nat;
        ImmutableArray<FormalExpr>.Builder elaborated = ImmutableArray.CreateBuilder<FormalExpr>(arguments.Length);
        for (int i = 0; i < arguments.Length; i++)
        {
            bool parameterDefaulted = alphaDefaulted && signature.Parameters[i].MentionsAlpha;
            elaborated.Add(Elaborate(arguments[i], signature.ParameterType(i, instance), parameterDefaulted));
        }

        return new CallExpr(signature.Function, elaborated.MoveToImmutable(), signature.Result.Instantiate(instance));
    }

    // ---- Binders ----

    private FormalExpr ElaborateQuantifier(QuantifierSyntax quantifier)
    {
        List<BinderEntry> entries = [];
        foreach (BinderSyntax group in quantifier.Binders)
        {
            FormalType? type = null;
            bool isProposition = group.TypeSyntax is not null && !TryReadType(group.TypeSyntax, out type);
            if (isProposition && quantifier.Quantifier == Quantifier.ExistsUnique)
            {
                throw FormalParseException.Unsupported(group.Position, "∃! with a hypothesis binder");
            }

            foreach ((string name, SourcePosition position) in group.Names)
            {
                entries.Add(new BinderEntry(name, position, group.TypeSyntax, type, isProposition));
            }
        }

        FormalType?[] types = [.. entries.Select(static entry => entry.Type)];
        if (entries.Any(static entry => entry.Type is null && !entry.IsProposition))
        {
            Binding[] cells = new Binding[entries.Count];
            InferPass(() => ElaborateEntries(quantifier, entries, types, 0, cells));
            for (int i = 0; i < entries.Count; i++)
            {
                if (!entries[i].IsProposition)
                {
                    types[i] ??= cells[i]?.Type ?? FormalType.Nat;
                }
            }
        }

        return ElaborateEntries(quantifier, entries, types, 0, new Binding[entries.Count]);
    }

    private FormalExpr ElaborateEntries(QuantifierSyntax quantifier, List<BinderEntry> entries, FormalType?[] types, int index, Binding[] cells)
    {
        if (index == entries.Count)
        {
            return Elaborate(quantifier.Body, FormalType.Prop);
        }

        BinderEntry entry = entries[index];
        if (entry.IsProposition)
        {
            FormalExpr premise = Elaborate(entry.TypeSyntax!, FormalType.Prop);
            FormalExpr rest = ElaborateEntries(quantifier, entries, types, index + 1, cells);
            return new LogicalExpr(quantifier.Quantifier == Quantifier.ForAll ? LogicalOperator.Implies : LogicalOperator.And, premise, rest);
        }

        Binding binding = new(entry.Name, types[index]);
        cells[index] = binding;
        _scope.Add(binding);
        try
        {
            FormalExpr body = ElaborateEntries(quantifier, entries, types, index + 1, cells);
            return new QuantifierExpr(quantifier.Quantifier, entry.Name, binding.Type ?? FormalType.Nat, body);
        }
        finally
        {
            _scope.RemoveAt(_scope.Count - 1);
        }
    }

    /// <summary>
    /// Pass one of binder-type inference: elaborates with the binders' types open, so that their uses fix them (as
    /// Lean's unifier does); type errors are not reported, since a premature default may cause them.
    /// </summary>
    private void InferPass(Action elaborate)
    {
        int depth = _scope.Count;
        _lenient++;
        try
        {
            elaborate();
        }
        catch (FormalParseException exception) when (exception.Kind == FormalParseErrorKind.Type)
        {
            // Pass two reports the error if it is real.
        }
        finally
        {
            _lenient--;
            _scope.RemoveRange(depth, _scope.Count - depth);
        }
    }

    /// <summary>The type of a single binder without one: inferred from the uses in <paramref name="elaborate"/>, else ℕ.</summary>
    private FormalType InferBinderType(string name, Action elaborate)
    {
        Binding cell = new(name, null);
        InferPass(() =>
        {
            _scope.Add(cell);
            elaborate();
        });
        return cell.Type ?? FormalType.Nat;
    }

    private FormalExpr WithBinding(string name, FormalType type, Func<FormalExpr> elaborate)
    {
        _scope.Add(new Binding(name, type));
        try
        {
            return elaborate();
        }
        finally
        {
            _scope.RemoveAt(_scope.Count - 1);
        }
    }

    private BigOperatorExpr ElaborateBigOperator(BigOperatorSyntax syntax, FormalType? expected, bool defaulted)
    {
        FormalType? indexType = syntax.IndexType is null ? null : ReadType(syntax.IndexType);
        if (indexType is null)
        {
            FormalType? domainType = Intrinsic(syntax.Domain);
            if (domainType is { Kind: FormalTypeKind.Finset })
            {
                indexType = domainType.Element;
            }
            else if (domainType is not null)
            {
                throw FormalParseException.TypeError(syntax.Domain.Position, $"expected a Finset but found {domainType}");
            }
        }

        indexType ??= InferBinderType(syntax.Index, () => Elaborate(syntax.Body, expected, defaulted));
        FormalExpr domain = Elaborate(syntax.Domain, FormalType.Finset(indexType));
        FormalExpr body = WithBinding(syntax.Index, indexType, () => Elaborate(syntax.Body, expected, defaulted));
        return new BigOperatorExpr(syntax.Operator, syntax.Index, indexType, domain, body);
    }

    private SetBuilderExpr ElaborateSetBuilder(SetBuilderSyntax syntax, FormalType? expected)
    {
        if (syntax.Literal && expected is { Kind: FormalTypeKind.Finset })
        {
            throw FormalParseException.Unsupported(syntax.Position, "finset literal { … }");
        }

        FormalType? elementType = syntax.VariableType is null
            ? PreimageDomain(syntax) ?? (expected is { Kind: FormalTypeKind.Set } ? expected.Element : null)
            : ReadType(syntax.VariableType);
        elementType ??= InferBinderType(syntax.Variable, () => Elaborate(syntax.Body, FormalType.Prop));
        FormalExpr predicate = WithBinding(syntax.Variable, elementType, () => Elaborate(syntax.Body, FormalType.Prop));
        return new SetBuilderExpr(syntax.Variable, elementType, predicate);
    }

    /// <summary>
    /// The binder type of <c>{x | f x ∈ s}</c> (a preimage) when <c>f</c> has a function type of its own: <c>f</c>'s
    /// domain, which the inference pass does not read off an argument; null for any other set-builder.
    /// </summary>
    private FormalType? PreimageDomain(SetBuilderSyntax syntax) =>
        syntax.Body is BinarySyntax { Operator: SyntaxOperator.Member, Left: ApplicationSyntax { Arguments: [NameSyntax argument] } image }
            && argument.Name == syntax.Variable && Intrinsic(image.Head) is { Kind: FormalTypeKind.Function } function
            ? function.Domain
            : null;

    private FilterExpr ElaborateFilter(FilterSyntax syntax)
    {
        LambdaSyntax lambda = syntax.Predicate;
        FormalType? elementType = lambda.VariableType is null ? null : ReadType(lambda.VariableType);
        if (elementType is null && Intrinsic(syntax.Source) is { Kind: FormalTypeKind.Finset } sourceType)
        {
            elementType = sourceType.Element;
        }

        elementType ??= InferBinderType(lambda.Variable, () => Elaborate(lambda.Body, FormalType.Prop));
        FormalExpr source = Elaborate(syntax.Source, FormalType.Finset(elementType));
        FormalExpr predicate = WithBinding(lambda.Variable, elementType, () => Elaborate(lambda.Body, FormalType.Prop));
        return new FilterExpr(lambda.Variable, elementType, predicate, source);
    }

    // ---- Types of their own ----

    /// <summary>
    /// The type <paramref name="syntax"/> has on its own, elaborated without an expected type, or null when it is
    /// pending: numerals, <c>↑e</c>, binders whose type is not yet known, and polymorphic calls whose arguments are
    /// pending. Lean ignores pending leaves when it computes the maximal type of a tree.
    /// </summary>
    private FormalType? Intrinsic(Syntax syntax)
    {
        switch (syntax)
        {
            case NumberSyntax or ScientificSyntax or CoercionSyntax or TypeAtomSyntax or LambdaSyntax:
                return null;
            case NameSyntax name:
                {
                    Binding? binding = Lookup(name.Name);
                    if (binding is not null)
                    {
                        return binding.Type;
                    }

                    if (FormalFunctions.TryGet(name.Name, out FunctionSignature? constant))
                    {
                        return constant.Arity == 0 ? CallIntrinsic(constant, []) : null;
                    }

                    return TryRewriteDotted(name, out FieldSyntax? field) ? Intrinsic(field) : null;
                }

            case AscriptionSyntax ascription:
                return ReadType(ascription.TypeSyntax);
            case NotSyntax or QuantifierSyntax:
                return FormalType.Prop;
            case BinarySyntax binary when IsArithmetic(binary):
                {
                    List<Syntax> leaves = [];
                    CollectLeaves(binary, leaves);
                    return JoinOwnTypes(leaves);
                }

            case NegateSyntax negate:
                {
                    List<Syntax> leaves = [];
                    CollectLeaves(negate, leaves);
                    return JoinOwnTypes(leaves);
                }

            case BinarySyntax:
                return FormalType.Prop;
            case NotationSyntax notation:
                return CallIntrinsic(FormalFunctions.Get(notation.Function), notation.Arguments);
            case FieldSyntax field:
                {
                    (FunctionSignature signature, Syntax target) = ResolveField(field);
                    return CallIntrinsic(signature, [target]);
                }

            case ApplicationSyntax application:
                return ApplicationIntrinsic(application);
            case BigOperatorSyntax bigOperator:
                return BigOperatorIntrinsic(bigOperator);
            case SetBuilderSyntax setBuilder:
                return setBuilder.VariableType is null
                    ? PreimageDomain(setBuilder) is { } domain ? FormalType.Set(domain) : null
                    : FormalType.Set(ReadType(setBuilder.VariableType));
            case FilterSyntax filter:
                {
                    FormalType? element = filter.Predicate.VariableType is null
                        ? Intrinsic(filter.Source)?.Element
                        : ReadType(filter.Predicate.VariableType);
                    return element is null ? null : FormalType.Finset(element);
                }

            default:
                return null;
        }
    }

    private FormalType? JoinOwnTypes(List<Syntax> leaves)
    {
        FormalType? max = null;
        foreach (Syntax leaf in leaves)
        {
            FormalType? type = Intrinsic(leaf);
            if (type is not null)
            {
                max = max is null ? type : FormalType.Join(max, type) ?? max;
            }
        }

        return max;
    }

    private FormalType? ApplicationIntrinsic(ApplicationSyntax application)
    {
        Syntax normalized = Normalize(application);
        if (normalized is not ApplicationSyntax flat)
        {
            return Intrinsic(normalized);
        }

        switch (flat.Head)
        {
            case NameSyntax name:
                {
                    Binding? binding = Lookup(name.Name);
                    if (binding is not null)
                    {
                        FormalType? type = binding.Type;
                        for (int i = 0; i < flat.Arguments.Length && type is { Kind: FormalTypeKind.Function }; i++)
                        {
                            type = type.Codomain;
                        }

                        return type;
                    }

                    if (FormalFunctions.TryGet(name.Name, out FunctionSignature? signature))
                    {
                        return CallIntrinsic(signature, flat.Arguments);
                    }

                    if (TryRewriteDotted(name, out FieldSyntax? field))
                    {
                        (FunctionSignature method, Syntax target) = ResolveField(field);
                        return CallIntrinsic(method, flat.Arguments.Insert(0, target));
                    }

                    return null;
                }

            case FieldSyntax field:
                {
                    (FunctionSignature method, Syntax target) = ResolveField(field);
                    return CallIntrinsic(method, flat.Arguments.Insert(0, target));
                }

            case ProjectionSyntax { Target: NameSyntax target } projection:
                return ProjectionIntrinsic(projection, Lookup(target.Name)?.Type, flat.Arguments.Length);
            default:
                return null;
        }
    }

    private FormalType? CallIntrinsic(FunctionSignature signature, ImmutableArray<Syntax> arguments)
    {
        if (!signature.Result.MentionsAlpha)
        {
            return signature.Result.Fixed;
        }

        for (int i = 0; i < arguments.Length && i < signature.Arity; i++)
        {
            FormalType? alpha = signature.Parameters[i].MatchAlpha(Intrinsic(arguments[i]));
            if (alpha is not null)
            {
                return signature.Result.Instantiate(alpha);
            }
        }

        return null;
    }

    private FormalType? BigOperatorIntrinsic(BigOperatorSyntax syntax)
    {
        FormalType? indexType = syntax.IndexType is null ? Intrinsic(syntax.Domain)?.Element : ReadType(syntax.IndexType);
        _scope.Add(new Binding(syntax.Index, indexType));
        try
        {
            return Intrinsic(syntax.Body);
        }
        finally
        {
            _scope.RemoveAt(_scope.Count - 1);
        }
    }
}
