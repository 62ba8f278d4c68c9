using System.Numerics;

using Planning.Provers.Formal;

namespace Planning.Provers.Evaluation;

/// <summary>Finite sets: ranges, intervals, divisors and filters, membership, ∑ and ∏, cardinality, and IsLeast/IsGreatest.</summary>
internal sealed partial class ExactEvaluator
{
    private Tri Member(FormalExpr elementExpr, FormalExpr collection)
    {
        Rational element = Number(elementExpr);
        if (collection is CallExpr call)
        {
            switch (call.Function)
            {
                case FormalFunction.FinsetRange:
                    return Of(element.Sign >= 0 && element < Number(call.Arguments[0]));
                case FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc or FormalFunction.FinsetIoo:
                    {
                        Rational low = Number(call.Arguments[0]);
                        Rational high = Number(call.Arguments[1]);
                        bool closedLow = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco;
                        bool closedHigh = call.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc;
                        return Of((closedLow ? low <= element : low < element) && (closedHigh ? element <= high : element < high));
                    }

                case FormalFunction.NatDivisors or FormalFunction.NatProperDivisors:
                    {
                        Rational n = Number(call.Arguments[0]);
                        bool divides = !n.IsZero && element.Sign > 0 && Divides(FormalType.Nat, element, n);
                        return Of(divides && (call.Function == FormalFunction.NatDivisors || element < n));
                    }

                default:
                    break;
            }
        }

        if (collection is FilterExpr filter)
        {
            Tri inSource = Member(elementExpr, filter.Source);
            return inSource == Tri.False ? Tri.False : And(inSource, WithBound(filter.Variable, element, () => Prop(filter.Predicate)));
        }

        return Value(collection) switch
        {
            LeanValue.FiniteSet finite => Of(finite.Elements.Contains(element)),
            LeanValue.SetPredicate predicate => InSet(predicate, element),
            _ => throw new NotEvaluableException("membership in " + collection.Type),
        };
    }

    private Tri InSet(LeanValue.SetPredicate set, Rational element)
    {
        return LeanEvaluator.InDomain(set.ElementType, element) ? WithBound(set.Variable, element, () => Prop(set.Predicate)) : Tri.False;
    }

    private bool Extremum(bool least, FormalExpr setExpr, Rational candidate)
    {
        if (Value(setExpr) is not LeanValue.SetPredicate set)
        {
            throw new NotEvaluableException("IsLeast/IsGreatest of a non-set-builder");
        }

        Tri member = InSet(set, candidate);
        if (member != Tri.True)
        {
            return member == Tri.False ? false : throw new NotEvaluableException("membership undecided");
        }

        if (least && set.ElementType.Kind == FormalTypeKind.Nat && candidate.Numerator <= MaxEnumerated)
        {
            bool unknown = false;
            for (BigInteger value = 0; value < candidate.Numerator; value++)
            {
                switch (InSet(set, value))
                {
                    case Tri.True:
                        return false;
                    case Tri.Unknown:
                        unknown = true;
                        break;
                    default:
                        break;
                }
            }

            return unknown ? throw new NotEvaluableException("membership undecided") : true;
        }

        if (set.ElementType.Kind is FormalTypeKind.Nat or FormalTypeKind.Int)
        {
            for (int offset = 1; offset <= SampleRadius * 4; offset++)
            {
                Rational other = least ? candidate - offset : candidate + offset;
                if (InSet(set, other) == Tri.True)
                {
                    return false;
                }
            }
        }

        throw new NotEvaluableException(least ? "IsLeast over an unbounded set" : "IsGreatest over an unbounded set");
    }

    private (BigInteger Low, BigInteger High)? TryBounds(CallExpr set)
    {
        Rational? Arg(int index) => TryNumber(set.Arguments[index]);
        switch (set.Function)
        {
            case FormalFunction.FinsetRange when Arg(0) is Rational n:
                return (BigInteger.Zero, Rational.Ceiling(n) - BigInteger.One);
            case FormalFunction.FinsetIcc or FormalFunction.FinsetIco or FormalFunction.FinsetIoc or FormalFunction.FinsetIoo
                when Arg(0) is Rational a && Arg(1) is Rational b:
                {
                    bool closedLow = set.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIco;
                    bool closedHigh = set.Function is FormalFunction.FinsetIcc or FormalFunction.FinsetIoc;
                    return (closedLow ? Rational.Ceiling(a) : Rational.Floor(a) + BigInteger.One, closedHigh ? Rational.Floor(b) : Rational.Ceiling(b) - BigInteger.One);
                }

            case FormalFunction.NatDivisors or FormalFunction.NatProperDivisors when Arg(0) is Rational n:
                return (BigInteger.One, n.Numerator);
            default:
                return null;
        }
    }

    /// <summary>The elements of a range, an interval or a divisor set, over ℕ or ℤ, when there are at most <see cref="MaxEnumerated"/>.</summary>
    private LeanValue.FiniteSet Enumerate(CallExpr call)
    {
        FormalType element = call.Type.Element ?? FormalType.Nat;
        if (element.Kind is not (FormalTypeKind.Nat or FormalTypeKind.Int))
        {
            throw new NotEvaluableException("finite set over " + element);
        }

        if (call.Function is FormalFunction.NatDivisors or FormalFunction.NatProperDivisors)
        {
            BigInteger n = Integer(call.Arguments[0]);
            if (n > 10_000_000)
            {
                throw new NotEvaluableException("divisors of a large number");
            }

            List<Rational> divisors = [];
            for (long d = 1; d <= (long)n; d++)
            {
                if ((long)n % d == 0 && (call.Function == FormalFunction.NatDivisors || d < (long)n))
                {
                    divisors.Add(d);
                }

                if (divisors.Count > MaxEnumerated)
                {
                    throw new NotEvaluableException("set too large");
                }
            }

            return new LeanValue.FiniteSet([.. divisors]);
        }

        (BigInteger low, BigInteger high) = TryBounds(call) ?? throw new NotEvaluableException("finite set bounds not evaluable");
        if (high - low + 1 > MaxEnumerated)
        {
            throw new NotEvaluableException("set too large");
        }

        List<Rational> values = [];
        for (BigInteger value = low; value <= high; value++)
        {
            values.Add(value);
        }

        return new LeanValue.FiniteSet([.. values]);
    }

    private LeanValue.FiniteSet Filter(FilterExpr filter)
    {
        if (Value(filter.Source) is not LeanValue.FiniteSet source)
        {
            throw new NotEvaluableException("filter of a non-finite set");
        }

        List<Rational> kept = [];
        foreach (Rational element in source.Elements)
        {
            switch (WithBound(filter.Variable, element, () => Prop(filter.Predicate)))
            {
                case Tri.True:
                    kept.Add(element);
                    break;
                case Tri.Unknown:
                    throw new NotEvaluableException(_reason ?? "filter predicate not evaluable");
                default:
                    break;
            }
        }

        return new LeanValue.FiniteSet([.. kept]);
    }

    private Rational Big(BigOperatorExpr big)
    {
        if (Value(big.Domain) is not LeanValue.FiniteSet domain)
        {
            throw new NotEvaluableException("big operator over a non-finite set");
        }

        bool sum = big.Operator == BigOperator.Sum;
        Rational result = sum ? Rational.Zero : Rational.One;
        foreach (Rational element in domain.Elements)
        {
            Rational term = WithBound(big.Index, element, () => Number(big.Body));
            result = Checked(sum ? result + term : result * term);
        }

        return result;
    }

    /// <summary>The number of elements of a finite set (<c>Finset.card</c>).</summary>
    private Rational Cardinality(FormalExpr set)
    {
        return Value(set) is LeanValue.FiniteSet finite ? new Rational(finite.Elements.Length) : throw new NotEvaluableException("card of an infinite set");
    }
}
