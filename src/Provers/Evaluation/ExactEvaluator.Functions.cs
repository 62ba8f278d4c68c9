using System.Collections.Immutable;
using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>Built-in functions and predicates: sqrt, abs, min/max, gcd/lcm, floor/ceil, factorial, choose, logarithms, primality, parity.</summary>
internal sealed partial class ExactEvaluator
{
    /// <summary>A built-in predicate (Nat.Prime, Even, Odd, ≡ [MOD n], Irrational, IsLeast, IsGreatest, True, False).</summary>
    private bool PropCall(CallExpr call)
    {
        ImmutableArray<FormalExpr> args = call.Arguments;
        switch (call.Function)
        {
            case FormalFunction.TrueProp:
                return true;
            case FormalFunction.FalseProp:
                return false;
            case FormalFunction.NatPrime:
                return IsPrime(Integer(args[0]));
            case FormalFunction.Even or FormalFunction.Odd:
                {
                    Rational x = Number(args[0]);
                    bool even = call.Function == FormalFunction.Even;
                    return args[0].Type.Kind switch
                    {
                        FormalTypeKind.Nat or FormalTypeKind.Int => BigInteger.Remainder(x.Numerator, 2).IsZero == even,
                        FormalTypeKind.NNReal => even || x >= Rational.One,
                        FormalTypeKind.Rat or FormalTypeKind.Real => true,
                        _ => throw new NotEvaluableException("Even/Odd on " + args[0].Type),
                    };
                }

            case FormalFunction.NatModEq or FormalFunction.IntModEq:
                {
                    BigInteger n = Integer(args[0]);
                    return EuclideanMod(Integer(args[1]), n) == EuclideanMod(Integer(args[2]), n);
                }

            case FormalFunction.Irrational:
                _ = Number(args[0]);
                return false;
            case FormalFunction.IsLeast or FormalFunction.IsGreatest:
                return Extremum(call.Function == FormalFunction.IsLeast, args[0], Number(args[1]));
            default:
                throw new NotEvaluableException(call.Function.ToString());
        }
    }

    /// <summary>A built-in number function, or <see langword="null"/> when the call is not one (a set, a predicate).</summary>
    private Rational? BuiltInNumber(CallExpr call)
    {
        ImmutableArray<FormalExpr> args = call.Arguments;
        switch (call.Function)
        {
            case FormalFunction.RealSqrt or FormalFunction.NNRealSqrt:
                {
                    Rational x = Number(args[0]);
                    if (x.Sign <= 0)
                    {
                        return Rational.Zero;
                    }

                    return Rational.TryRoot(x, 2, out Rational root) ? root : throw new NotEvaluableException("irrational sqrt");
                }

            case FormalFunction.NatSqrt:
                return new Rational(Rational.FloorRoot(Integer(args[0]), 2));
            case FormalFunction.Abs:
                return Rational.Abs(Number(args[0]));
            case FormalFunction.Min or FormalFunction.Max:
                {
                    Rational a = Number(args[0]);
                    Rational b = Number(args[1]);
                    return call.Function == FormalFunction.Min ? (a <= b ? a : b) : (a >= b ? a : b);
                }

            case FormalFunction.NatGcd or FormalFunction.IntGcd:
                return new Rational(BigInteger.GreatestCommonDivisor(Integer(args[0]), Integer(args[1])));
            case FormalFunction.NatLcm or FormalFunction.IntLcm:
                {
                    BigInteger a = BigInteger.Abs(Integer(args[0]));
                    BigInteger b = BigInteger.Abs(Integer(args[1]));
                    return a.IsZero || b.IsZero ? Rational.Zero : new Rational(a / BigInteger.GreatestCommonDivisor(a, b) * b);
                }

            case FormalFunction.IntFloor:
                return new Rational(Rational.Floor(Number(args[0])));
            case FormalFunction.IntCeil:
                return new Rational(Rational.Ceiling(Number(args[0])));
            case FormalFunction.NatFloor:
                return new Rational(BigInteger.Max(BigInteger.Zero, Rational.Floor(Number(args[0]))));
            case FormalFunction.NatCeil:
                return new Rational(BigInteger.Max(BigInteger.Zero, Rational.Ceiling(Number(args[0]))));
            case FormalFunction.IntNatAbs:
                return Rational.Abs(Number(args[0]));
            case FormalFunction.IntToNat:
                {
                    Rational x = Number(args[0]);
                    return x.Sign < 0 ? Rational.Zero : x;
                }

            case FormalFunction.NatSucc:
                return Number(args[0]) + Rational.One;
            case FormalFunction.Factorial:
                return new Rational(Factorial(Integer(args[0])));
            case FormalFunction.Choose:
                return new Rational(Choose(Integer(args[0]), Integer(args[1])));
            case FormalFunction.Inverse:
                {
                    Rational x = Number(args[0]);
                    return x.IsZero ? Rational.Zero : Rational.One / x;
                }

            case FormalFunction.RatNum:
                return new Rational(Number(args[0]).Numerator);
            case FormalFunction.RatDen:
                return new Rational(Number(args[0]).Denominator);
            case FormalFunction.RatDivInt:
                {
                    Rational a = Number(args[0]);
                    Rational b = Number(args[1]);
                    return b.IsZero ? Rational.Zero : a / b;
                }

            case FormalFunction.Exp:
                return Number(args[0]).IsZero ? Rational.One : throw new NotEvaluableException("irrational exp");
            case FormalFunction.Sin or FormalFunction.Tan:
                return Number(args[0]).IsZero ? Rational.Zero : throw new NotEvaluableException("transcendental " + call.Function);
            case FormalFunction.Cos:
                return Number(args[0]).IsZero ? Rational.One : throw new NotEvaluableException("transcendental cos");
            case FormalFunction.Log:
                return TrivialLog(Number(args[0])) ? Rational.Zero : throw new NotEvaluableException("irrational log");
            case FormalFunction.Logb:
                return Logb(Number(args[0]), Number(args[1]));
            default:
                return null;
        }
    }

    private static bool TrivialLog(Rational x) => x.IsZero || Rational.Abs(x) == Rational.One;

    private static Rational Logb(Rational b, Rational x)
    {
        // logb b x = log x / log b, with log 0 = 0, log |x| = log x, and division by 0 giving 0.
        if (TrivialLog(x) || TrivialLog(b))
        {
            return Rational.Zero;
        }

        Rational absB = Rational.Abs(b);
        Rational absX = Rational.Abs(x);
        double ratio = Log(absX) / Log(absB);
        for (int q = 1; q <= 12; q++)
        {
            double p = Math.Round(ratio * q);
            if (Math.Abs(p) > 4096)
            {
                continue;
            }

            // |x|^q = |b|^p exactly?
            long bits = (long)Math.Abs(p) * Math.Max(absB.Numerator.GetBitLength(), absB.Denominator.GetBitLength());
            if (bits > MaxBits)
            {
                continue;
            }

            if (Rational.Pow(absX, q) == Rational.Pow(absB, (int)p))
            {
                return new Rational(new BigInteger(p), q);
            }
        }

        throw new NotEvaluableException("irrational logb");
    }

    private static double Log(Rational value)
    {
        return BigInteger.Log(value.Numerator) - BigInteger.Log(value.Denominator);
    }

    private static BigInteger Factorial(BigInteger n)
    {
        if (n.Sign < 0 || n > 2000)
        {
            throw new NotEvaluableException("factorial too large");
        }

        BigInteger result = BigInteger.One;
        for (BigInteger i = 2; i <= n; i++)
        {
            result *= i;
        }

        return result;
    }

    private static BigInteger Choose(BigInteger n, BigInteger k)
    {
        if (k > n)
        {
            return BigInteger.Zero;
        }

        BigInteger smaller = BigInteger.Min(k, n - k);
        if (smaller > 2000)
        {
            throw new NotEvaluableException("binomial too large");
        }

        BigInteger result = BigInteger.One;
        for (BigInteger i = 0; i < smaller; i++)
        {
            result = result * (n - i) / (i + 1);
        }

        return result;
    }

    private static bool IsPrime(BigInteger n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n > PrimeLimit)
        {
            throw new NotEvaluableException("primality of a large number");
        }

        long value = (long)n;
        if (value % 2 == 0)
        {
            return value == 2;
        }

        for (long d = 3; d * d <= value; d += 2)
        {
            if (value % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
