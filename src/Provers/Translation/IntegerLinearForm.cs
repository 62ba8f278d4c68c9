using System.Numerics;

using Planning.Provers.Smt;

namespace Planning.Provers.Translation;

/// <summary>
/// An integer term as <c>Σ coefficient·atom + constant</c>, where an atom is any sub-term that is not a sum, a difference,
/// a negation, a literal or a product with a literal (compared structurally). Used to see that two translated arguments
/// differ by a constant (<c>6n + 5</c> and <c>6n + 3</c>), which lets <c>Nat.gcd</c> take the quantifier-free encoding.
/// </summary>
internal sealed class IntegerLinearForm
{
    private readonly Dictionary<Term, BigInteger> _coefficients = [];

    private IntegerLinearForm()
    {
    }

    /// <summary>The constant part.</summary>
    public BigInteger Constant { get; private set; }

    /// <summary>The linear form of an integer term.</summary>
    /// <param name="term">A term of sort Int.</param>
    /// <returns>The form.</returns>
    public static IntegerLinearForm Of(Term term)
    {
        IntegerLinearForm form = new();
        form.Add(term, BigInteger.One);
        return form;
    }

    /// <summary>
    /// <c>first - second</c> when it is a constant (every atom's coefficient cancels), else null.
    /// </summary>
    /// <param name="first">An integer term.</param>
    /// <param name="second">An integer term.</param>
    /// <returns>The constant difference, or null.</returns>
    public static BigInteger? ConstantDifference(Term first, Term second)
    {
        IntegerLinearForm form = new();
        form.Add(first, BigInteger.One);
        form.Add(second, BigInteger.MinusOne);
        return form._coefficients.Values.All(static c => c.IsZero) ? form.Constant : null;
    }

    private void Add(Term term, BigInteger factor)
    {
        switch (term)
        {
            case IntLiteral literal:
                Constant += factor * literal.Value;
                break;
            case UnaryMinus minus:
                Add(minus.Operand, -factor);
                break;
            case Arithmetic { Operator: ArithmeticOperator.Add } sum:
                Add(sum.Left, factor);
                Add(sum.Right, factor);
                break;
            case Arithmetic { Operator: ArithmeticOperator.Subtract } difference:
                Add(difference.Left, factor);
                Add(difference.Right, -factor);
                break;
            case Arithmetic { Operator: ArithmeticOperator.Multiply, Left: IntLiteral scale } product:
                Add(product.Right, factor * scale.Value);
                break;
            case Arithmetic { Operator: ArithmeticOperator.Multiply, Right: IntLiteral scale } product:
                Add(product.Left, factor * scale.Value);
                break;
            default:
                _coefficients[term] = _coefficients.GetValueOrDefault(term) + factor;
                break;
        }
    }
}
