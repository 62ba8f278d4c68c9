using System.Globalization;
using System.Numerics;

using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Translation;

/// <summary><c>ZMod n</c> with a literal modulus as residues: integers in <c>[0, n)</c>, every operation reduced mod n.</summary>
internal static partial class LeanToSmt
{
    private sealed partial class Translator
    {
        /// <summary>
        /// A <c>ZMod n</c> expression as an Int term in <c>[0, n)</c>: numerals and casts from ℕ and ℤ taken mod n (Euclidean,
        /// so a negative integer gets a non-negative residue), <c>+ - *</c> and negation reduced mod n, <c>^</c> with a literal
        /// exponent (reduced after each multiplication; <see cref="BigInteger.ModPow"/> for a literal base), <c>x⁻¹</c> and
        /// <c>x / y = x * y⁻¹</c> when the inverted term is a literal (<see cref="ResidueInverse"/>), ∑/∏ over literal
        /// domains. Literals are folded, so <c>(2 + 3)⁻¹</c> is the inverse of 5.
        /// </summary>
        /// <summary>The literal modulus of a <c>ZMod</c> type; <c>ZMod p</c> with a variable p is not translated.</summary>
        private static BigInteger LiteralModulus(FormalType type) =>
            type.ModulusVariable is null ? type.Modulus : throw new TranslationException("ZMod with a non-literal modulus");

        private Term Residue(FormalExpr expr)
        {
            BigInteger n = LiteralModulus(expr.Type);
            switch (expr)
            {
                case NumeralExpr numeral:
                    return Int(Mod(numeral.Value, n));
                case VariableExpr variable:
                    return Lookup(variable);
                case CastExpr cast when cast.Operand.Type.Kind is FormalTypeKind.Nat or FormalTypeKind.Int:
                    return Reduce(Translate(cast.Operand), n);
                case CastExpr cast when cast.Operand.Type == expr.Type:
                    return Residue(cast.Operand);
                case CastExpr cast:
                    throw new TranslationException($"cast from {cast.Operand.Type} to {expr.Type}");
                case NegateExpr negate:
                    return Reduce(new UnaryMinus(Residue(negate.Operand)), n);
                case ArithmeticExpr { Operator: NumericOperator.Power } power:
                    return ResiduePower(power, n);
                case ArithmeticExpr { Operator: NumericOperator.Divide } division:
                    return Reduce(Op(ArithmeticOperator.Multiply, Residue(division.Left), ResidueInverse(Residue(division.Right), n)), n);
                case ArithmeticExpr { Operator: NumericOperator.Add or NumericOperator.Subtract or NumericOperator.Multiply } arithmetic:
                    {
                        ArithmeticOperator op = arithmetic.Operator switch
                        {
                            NumericOperator.Add => ArithmeticOperator.Add,
                            NumericOperator.Subtract => ArithmeticOperator.Subtract,
                            _ => ArithmeticOperator.Multiply,
                        };
                        return Reduce(Op(op, Residue(arithmetic.Left), Residue(arithmetic.Right)), n);
                    }

                case ArithmeticExpr:
                    throw new TranslationException("% on ZMod");
                case CallExpr { Function: FormalFunction.Inverse } inverse:
                    return ResidueInverse(Residue(inverse.Arguments[0]), n);
                case CallExpr call:
                    throw new TranslationException(FormalFunctions.Get(call.Function).Name + " on ZMod");
                case BigOperatorExpr big:
                    return ResidueBigOperator(big, n);
                case ScientificExpr:
                    throw new TranslationException("decimal in ZMod");
                default:
                    throw new TranslationException("ZMod " + expr.GetType().Name);
            }
        }

        /// <summary>
        /// <c>x⁻¹</c> in <c>ZMod n</c> for a literal residue <c>x</c>: the modular inverse when <c>gcd(x, n) = 1</c>, and
        /// <c>0⁻¹ = 0</c> (Mathlib's <c>ZMod.inv_zero</c>). Mathlib's inverse of any other non-unit is a Bézout coefficient,
        /// not 0, and the inverse of a non-literal is not a function SMT knows, so both are unsupported.
        /// </summary>
        private static IntLiteral ResidueInverse(Term x, BigInteger n)
        {
            if (x is not IntLiteral { Value: BigInteger value })
            {
                throw new TranslationException("ZMod inverse of a non-literal");
            }

            if (value.IsZero)
            {
                return Int(0);
            }

            return ModularInverse(value, n) is BigInteger inverse ? Int(inverse) : throw new TranslationException("ZMod inverse of a non-unit");
        }

        /// <summary>
        /// <c>x ^ k</c> in <c>ZMod n</c> with a ℕ exponent that translates to a literal: <see cref="BigInteger.ModPow"/> for a
        /// literal base (any exponent), else the product reduced after each multiplication (at most
        /// <see cref="MaxExponent"/> factors); <c>x ^ 0 = 1</c>, which is 0 in <c>ZMod 1</c>.
        /// </summary>
        private Term ResiduePower(ArithmeticExpr power, BigInteger n)
        {
            if (power.Right.Type.Kind != FormalTypeKind.Nat
                || (LiteralValue(power.Right) ?? (Translate(power.Right) as IntLiteral)?.Value) is not BigInteger exponent || exponent.Sign < 0)
            {
                throw new TranslationException("non-literal exponent on ZMod");
            }

            Term x = Residue(power.Left);
            if (x is IntLiteral literal)
            {
                return Int(BigInteger.ModPow(literal.Value, exponent, n));
            }

            if (exponent > MaxExponent)
            {
                throw new TranslationException("exponent above " + MaxExponent.ToString(CultureInfo.InvariantCulture));
            }

            Term result = Int(Mod(BigInteger.One, n));
            for (int i = 0; i < (int)exponent; i++)
            {
                result = i == 0 ? x : Reduce(Op(ArithmeticOperator.Multiply, result, x), n);
            }

            return result;
        }

        /// <summary>∑/∏ of <c>ZMod n</c> terms over a domain with literal bounds, unrolled and reduced mod n.</summary>
        private Term ResidueBigOperator(BigOperatorExpr big, BigInteger n)
        {
            bool sum = big.Operator == Formal.BigOperator.Sum;
            if (FiniteDomain(big.Domain, big.IndexType, out _) is not { } domain)
            {
                throw new TranslationException((sum ? "∑" : "∏") + " of ZMod terms without literal bounds");
            }

            Term identity = Int(Mod(sum ? BigInteger.Zero : BigInteger.One, n));
            return Unrolled(
                big,
                domain,
                index => ScopedValue(big.Index, index, () => Residue(big.Body)),
                (condition, term) => new IfThenElse(condition, term, identity),
                (result, term) => Reduce(Op(sum ? ArithmeticOperator.Add : ArithmeticOperator.Multiply, result, term), n),
                identity);
        }

        /// <summary><c>x mod n</c> (SMT-LIB's <c>mod</c> by a positive literal is Euclidean: in <c>[0, n)</c>); folded for a literal.</summary>
        private static Term Reduce(Term x, BigInteger n)
        {
            return x switch
            {
                IntLiteral literal => Int(Mod(literal.Value, n)),
                UnaryMinus { Operand: IntLiteral literal } => Int(Mod(-literal.Value, n)),
                Arithmetic { Operator: ArithmeticOperator.Add, Left: IntLiteral a, Right: IntLiteral b } => Int(Mod(a.Value + b.Value, n)),
                Arithmetic { Operator: ArithmeticOperator.Subtract, Left: IntLiteral a, Right: IntLiteral b } => Int(Mod(a.Value - b.Value, n)),
                Arithmetic { Operator: ArithmeticOperator.Multiply, Left: IntLiteral a, Right: IntLiteral b } => Int(Mod(a.Value * b.Value, n)),
                _ => Op(ArithmeticOperator.Modulo, x, Int(n)),
            };
        }

        /// <summary>The Euclidean remainder of <paramref name="value"/> by <paramref name="n"/> &gt; 0, in <c>[0, n)</c>.</summary>
        private static BigInteger Mod(BigInteger value, BigInteger n)
        {
            BigInteger remainder = BigInteger.Remainder(value, n);
            return remainder.Sign < 0 ? remainder + n : remainder;
        }

        /// <summary>The inverse of <paramref name="value"/> modulo <paramref name="n"/> &gt; 0 in <c>[0, n)</c> (extended Euclid), or null when they are not coprime.</summary>
        private static BigInteger? ModularInverse(BigInteger value, BigInteger n)
        {
            // Invariant: oldR ≡ oldS·value and r ≡ s·value (mod n).
            (BigInteger oldR, BigInteger r) = (Mod(value, n), n);
            (BigInteger oldS, BigInteger s) = (BigInteger.One, BigInteger.Zero);
            while (!r.IsZero)
            {
                BigInteger quotient = BigInteger.Divide(oldR, r);
                (oldR, r) = (r, oldR - (quotient * r));
                (oldS, s) = (s, oldS - (quotient * s));
            }

            return oldR.IsOne ? Mod(oldS, n) : null;
        }
    }
}
