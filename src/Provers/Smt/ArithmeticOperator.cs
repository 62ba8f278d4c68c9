namespace Planning.Provers.Smt;

/// <summary>The binary operator of an <see cref="Arithmetic"/> term.</summary>
internal enum ArithmeticOperator
{
    /// <summary><c>+</c> on Int or Real.</summary>
    Add,

    /// <summary><c>-</c> on Int or Real.</summary>
    Subtract,

    /// <summary><c>*</c> on Int or Real.</summary>
    Multiply,

    /// <summary>Real division <c>/</c> (Real operands only).</summary>
    Divide,

    /// <summary>Euclidean integer division <c>div</c> (Int operands only).</summary>
    IntegerDivide,

    /// <summary>Euclidean remainder <c>mod</c>, always non-negative (Int operands only).</summary>
    Modulo,
}
