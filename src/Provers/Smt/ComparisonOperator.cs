namespace Planning.Provers.Smt;

/// <summary>The relation of a <see cref="Comparison"/>.</summary>
internal enum ComparisonOperator
{
    /// <summary><c>=</c>, on any sort (on Bool it is <c>iff</c>).</summary>
    Equal,

    /// <summary><c>≠</c>, on any sort.</summary>
    NotEqual,

    /// <summary><c>&lt;</c> on Int or Real.</summary>
    Less,

    /// <summary><c>≤</c> on Int or Real.</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c> on Int or Real.</summary>
    Greater,

    /// <summary><c>≥</c> on Int or Real.</summary>
    GreaterOrEqual,
}
