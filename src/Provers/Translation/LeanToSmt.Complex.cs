using System.Collections.Immutable;
using System.Numerics;

using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Translation;

/// <summary>ℂ as pairs of reals (<see cref="ComplexTerm"/>): variables, binders, expressions and relations.</summary>
internal static partial class LeanToSmt
{
    private sealed partial class Translator
    {
        // The entry of a real inverse among the scope's calls (not a symbol: no transcendental fact matches it).
        private const string ReciprocalCall = "inv";

        /// <summary>
        /// A ℂ statement variable <c>z</c>: its real part is the statement's own SMT variable <c>z</c> (Real), so that the
        /// aligner's renaming and the reported counterexample keep the statement's name; its imaginary part is a variable
        /// <c>z.im</c> listed among the fresh ones with a constraint that mentions both parts and is always true. A check of
        /// two statements shares a fresh variable between them when its constraint is the same up to the alignment, so the
        /// imaginary parts of aligned ℂ variables are shared exactly when their real parts are.
        /// </summary>
        /// <param name="name">The variable's name.</param>
        /// <returns>The real part, to list among the statement's variables.</returns>
        private Variable ComplexVariable(string name)
        {
            if (_values is not null && _values.ContainsKey(name))
            {
                throw new TranslationException("value for a ℂ variable");
            }

            Variable re = new(name, SmtSort.RealSort);
            Variable im = new(ImaginaryPartName(name), SmtSort.RealSort);
            _complexEnvironment[name] = new ComplexTerm(re, im);
            Term both = Op(ArithmeticOperator.Add, re, im);
            _fresh.Add((im, Eq(both, both)));
            return re;
        }

        /// <summary>
        /// A function variable of one argument with ℂ in its domain or codomain (<c>f : ℂ → ℂ</c>, <c>ℂ → ℝ</c>,
        /// <c>ℝ → ℂ</c>): uninterpreted symbols over the argument's parts (a ℂ argument is its real and imaginary
        /// parts), one for a real value, two for a ℂ one (its real part under the function's name, its imaginary part
        /// under <c>f.im</c>). Two real functions of two reals range over every function ℂ → ℂ, so a proof for every
        /// interpretation holds for the intended one.
        /// </summary>
        private IEnumerable<Variable> ComplexFunction(string name, FormalType function)
        {
            FormalType argument = function.Domain!;
            FormalType result = function.Codomain!;
            if (result.Kind == FormalTypeKind.Function)
            {
                throw new TranslationException("function variable over ℂ of several arguments");
            }

            ImmutableArray<SmtSort> domain = argument.Kind == FormalTypeKind.Complex ? [SmtSort.RealSort, SmtSort.RealSort] : [ArgumentSort(argument)];
            bool complexValue = result.Kind == FormalTypeKind.Complex;
            if (!complexValue && result.Kind is not (FormalTypeKind.Real or FormalTypeKind.Rat))
            {
                throw new TranslationException("function variable over ℂ with values in " + result);
            }

            Variable re = new(name, SmtSort.RealSort, domain);
            Variable? im = complexValue ? new Variable(ImaginaryPartName(name), SmtSort.RealSort, domain) : null;
            _environment[name] = re;
            _complexFunctions[name] = (re, im);
            return im is null ? [re] : [re, im];
        }

        /// <summary>
        /// A function over ℂ applied: its defining hypothesis' body at the argument when it has one (as for real
        /// functions, exact), else the symbols at the argument's parts.
        /// </summary>
        private ComplexTerm ComplexApply(ApplyExpr apply)
        {
            string name = apply.Function.Name;
            (Variable re, Variable? im) = _complexFunctions[name];
            if (apply.Arguments.Length != 1)
            {
                throw new TranslationException("partial application of " + name);
            }

            // The argument in the caller's scope, before the parameter is bound (a ℂ argument as its pair).
            FormalExpr argument = apply.Arguments[0];
            ComplexTerm? complexValue = argument.Type.Kind == FormalTypeKind.Complex ? Complex(argument) : null;
            Term? value = complexValue is null ? Translate(argument) : null;
            if (Expandable(name, out var definition))
            {
                _expanding.Add(name);
                string parameter = definition.Parameters[0];
                Binding outer = Bind(parameter, value, complexValue);
                try
                {
                    return apply.Type.Kind == FormalTypeKind.Complex ? Complex(definition.Body) : ComplexTerm.OfReal(Translate(definition.Body));
                }
                finally
                {
                    Bind(parameter, outer.Value, outer.Complex);
                    _expanding.Remove(name);
                }
            }

            ImmutableArray<Term> arguments = complexValue is null ? [value!] : [complexValue.Re, complexValue.Im];
            return new ComplexTerm(new Application(re, arguments), im is null ? Real(0) : new Application(im, arguments));
        }

        /// <summary><c>z.im</c> for a ℂ variable <c>z</c>, primed until the name is unused.</summary>
        private string ImaginaryPartName(string name)
        {
            string part = name + ".im";
            while (!_usedNames.Add(part))
            {
                part += "'";
            }

            return part;
        }

        /// <summary><c>∀ z : ℂ, body</c> (or ∃): two real binders, <c>z</c> for the real part and <c>z.im</c> for the imaginary part.</summary>
        private Term ComplexQuantifier(string name, bool universal, FormalExpr body)
        {
            Variable re = new(name, SmtSort.RealSort);
            _usedNames.Add(name);
            Variable im = new(ImaginaryPartName(name), SmtSort.RealSort);
            Term formula = Scoped(name, null, new ComplexTerm(re, im), () => Formula(body), universal);
            return universal ? new ForAll(re, new ForAll(im, formula)) : new Exists(re, new Exists(im, formula));
        }

        /// <summary><c>=</c> and <c>≠</c> on ℂ, part by part; ℂ has no order.</summary>
        private Term ComplexRelation(RelationExpr relation)
        {
            if (relation.Operator is not (RelationOperator.Equal or RelationOperator.NotEqual))
            {
                throw new TranslationException("order on ℂ");
            }

            Term equal = ComplexTerm.Equal(Complex(relation.Left), Complex(relation.Right));
            return relation.Operator == RelationOperator.Equal ? equal : new LogicalNot(equal);
        }

        /// <summary>
        /// A ℂ expression as a pair of reals: numerals and casts from ℕ, ℤ, ℚ, ℝ (imaginary part 0), <c>Complex.I</c>,
        /// <c>+ - *</c>, negation, <c>/</c> and <c>⁻¹</c> with <c>0⁻¹ = 0</c> (<see cref="Reciprocal"/>), <c>^</c> with an exponent that translates to a
        /// literal (at most <see cref="MaxComplexExponent"/>, or <see cref="MaxLiteralExponent"/> for a constant base; a negative ℤ exponent is the inverse of the power), and ∑/∏ over
        /// literal domains. Anything else (function variables into ℂ, symbolic powers, <c>%</c>) is unsupported.
        /// </summary>
        private ComplexTerm Complex(FormalExpr expr)
        {
            if (expr.Type.Kind != FormalTypeKind.Complex)
            {
                throw new TranslationException("ℂ operand of type " + expr.Type);
            }

            return expr switch
            {
                NumeralExpr numeral => ComplexTerm.OfReal(new RealLiteral(numeral.Value)),
                ScientificExpr scientific => ComplexTerm.OfReal(new RealLiteral(ScientificValue(scientific).Numerator, ScientificValue(scientific).Denominator)),
                VariableExpr variable => _complexEnvironment.TryGetValue(variable.Name, out ComplexTerm? bound)
                    ? bound
                    : throw new TranslationException("unknown variable"),
                CastExpr cast => ComplexCast(cast),
                NegateExpr negate => ComplexTerm.Negate(Complex(negate.Operand)),
                ArithmeticExpr arithmetic => ComplexArithmetic(arithmetic),
                CallExpr { Function: FormalFunction.ImaginaryUnit } => ComplexTerm.ImaginaryUnit,
                CallExpr { Function: FormalFunction.Inverse } inverse => ComplexTerm.Inverse(Complex(inverse.Arguments[0]), Reciprocal),
                CallExpr call => throw new TranslationException(FormalFunctions.Get(call.Function).Name + " on ℂ"),
                BigOperatorExpr big => ComplexBigOperator(big),
                ApplyExpr { IsProjection: false } apply when _complexFunctions.TryGetValue(apply.Function.Name, out var parts)
                    && _environment.GetValueOrDefault(apply.Function.Name) is Variable symbol && ReferenceEquals(parts.Re, symbol) => ComplexApply(apply),
                ApplyExpr => throw new TranslationException("function variable with values in ℂ"),
                _ => throw new TranslationException("ℂ " + expr.GetType().Name),
            };
        }

        /// <summary>
        /// The real inverse <c>x⁻¹</c> (<c>0⁻¹ = 0</c>) of a real term, for ℂ inversion: a fresh <c>r</c> with
        /// <c>(x = 0 → r = 0) ∧ (x ≠ 0 → x · r = 1)</c>, placed like <c>Real.sqrt</c>'s (exactly one solution). A polynomial
        /// definition rather than a division by the non-linear <c>normSq</c>, which Z3 decides far more often. The same
        /// term inverted twice in one scope (<c>(z ^ 2)⁻¹</c> and <c>1 / (z * z)</c>) shares the variable.
        /// </summary>
        private Variable Reciprocal(Term x)
        {
            foreach ((string symbol, Variable value, Term argument) in _calls)
            {
                if (symbol == ReciprocalCall && argument == x)
                {
                    return value;
                }
            }

            Variable r = Fresh("inv", SmtSort.RealSort);
            _calls.Add((ReciprocalCall, r, x));
            Term zero = Real(0);
            _fresh.Add((r, new Conjunction(
                new Implication(Eq(x, zero), Eq(r, zero)),
                new Implication(new Comparison(ComparisonOperator.NotEqual, x, zero), Eq(Op(ArithmeticOperator.Multiply, x, r), Real(1))))));
            return r;
        }

        private ComplexTerm ComplexCast(CastExpr cast)
        {
            switch (cast.Operand.Type.Kind)
            {
                case FormalTypeKind.Complex:
                    return Complex(cast.Operand);
                case FormalTypeKind.Nat or FormalTypeKind.Int:
                    {
                        Term operand = Translate(cast.Operand);
                        return ComplexTerm.OfReal(operand is IntLiteral literal ? new RealLiteral(literal.Value) : new IntToReal(operand));
                    }

                case FormalTypeKind.Real or FormalTypeKind.Rat or FormalTypeKind.NNReal:
                    return ComplexTerm.OfReal(Translate(cast.Operand));
                default:
                    throw new TranslationException($"cast from {cast.Operand.Type} to ℂ");
            }
        }

        private ComplexTerm ComplexArithmetic(ArithmeticExpr arithmetic)
        {
            if (arithmetic.Operator == NumericOperator.Power)
            {
                return ComplexPower(arithmetic);
            }

            ComplexTerm left = Complex(arithmetic.Left);
            ComplexTerm right = Complex(arithmetic.Right);
            return arithmetic.Operator switch
            {
                NumericOperator.Add => ComplexTerm.Add(left, right),
                NumericOperator.Subtract => ComplexTerm.Subtract(left, right),
                NumericOperator.Multiply => ComplexTerm.Multiply(left, right),
                NumericOperator.Divide => ComplexTerm.Divide(left, right, Reciprocal),
                _ => throw new TranslationException("% on ℂ"),
            };
        }

        /// <summary>
        /// <c>z ^ k</c> where <c>k</c> (ℕ, or ℤ for Lean's <c>zpow</c>) translates to a literal: the repeated product of the pair
        /// (<c>z ^ 0 = 1</c>), and for a negative <c>k</c> the inverse of <c>z ^ -k</c> (<c>zpow_neg</c>). An exponent
        /// that is a literal only after unrolling (the index of a ∑ with literal bounds) counts as a literal.
        /// </summary>
        private ComplexTerm ComplexPower(ArithmeticExpr power)
        {
            if (power.Right.Type.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int))
            {
                throw new TranslationException("ℂ power with exponent in " + power.Right.Type);
            }

            if ((LiteralValue(power.Right) ?? (Translate(power.Right) as IntLiteral)?.Value) is not BigInteger exponent)
            {
                throw new TranslationException("non-literal exponent on ℂ");
            }

            // A constant base (Complex.I, 1 + I) folds to a constant by squaring, so it may take a literal's larger exponent.
            ComplexTerm baseTerm = Complex(power.Left);
            int cap = baseTerm is { Re: RealLiteral, Im: RealLiteral } ? MaxLiteralExponent : MaxComplexExponent;
            if (BigInteger.Abs(exponent) > cap)
            {
                throw new TranslationException("exponent above " + cap.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            ComplexTerm result = ComplexTerm.Power(baseTerm, (int)BigInteger.Abs(exponent));
            return exponent.Sign < 0 ? ComplexTerm.Inverse(result, Reciprocal) : result;
        }

        /// <summary>∑/∏ of ℂ terms over a domain with literal bounds (<see cref="FiniteDomain"/>), unrolled as pairs.</summary>
        private ComplexTerm ComplexBigOperator(BigOperatorExpr big)
        {
            bool sum = big.Operator == Formal.BigOperator.Sum;
            if (FiniteDomain(big.Domain, big.IndexType, out _) is not { } domain)
            {
                throw new TranslationException((sum ? "∑" : "∏") + " of ℂ terms without literal bounds");
            }

            ComplexTerm identity = ComplexTerm.OfReal(sum ? Real(0) : Real(1));
            return Unrolled(
                big,
                domain,
                index => ScopedValue(big.Index, index, () => Complex(big.Body)),
                (condition, term) => new ComplexTerm(new IfThenElse(condition, term.Re, identity.Re), new IfThenElse(condition, term.Im, identity.Im)),
                (result, term) => sum ? ComplexTerm.Add(result, term) : ComplexTerm.Multiply(result, term),
                identity);
        }
    }
}
