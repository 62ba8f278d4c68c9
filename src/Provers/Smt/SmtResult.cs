namespace Planning.Provers.Smt;

/// <summary>The result of <see cref="ISmtBackend.Check"/>: <see cref="Sat"/>, <see cref="Unsat"/> or <see cref="Unknown"/>.</summary>
internal abstract record SmtResult
{
    private protected SmtResult()
    {
    }

    /// <summary>Which of the three answers this is.</summary>
    public abstract SmtStatus Status { get; }
}

/// <summary>Satisfiable, with a model of the free variables.</summary>
internal sealed record Sat : SmtResult
{
    /// <summary>Creates a satisfiable result.</summary>
    /// <param name="model">Each free variable's name and value (see <see cref="Model"/>).</param>
    public Sat(IReadOnlyDictionary<string, string> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>
    /// Each free variable of the assertions, by name, with its value: <c>true</c>/<c>false</c>; integers in decimal
    /// (<c>-3</c>); reals as <c>p/q</c> in lowest terms or as an integer when whole (<c>5/2</c>, <c>3</c>); irrational
    /// algebraic values as Z3's SMT-LIB text, for instance <c>(root-obj (+ (^ x 2) (- 2)) 2)</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Model { get; }

    /// <inheritdoc />
    public override SmtStatus Status => SmtStatus.Sat;

    /// <inheritdoc />
    public override string ToString() =>
        "sat " + string.Join(", ", Model.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + " = " + p.Value));
}

/// <summary>Unsatisfiable.</summary>
internal sealed record Unsat : SmtResult
{
    /// <summary>The unsatisfiable result.</summary>
    public static Unsat Instance { get; } = new();

    private Unsat()
    {
    }

    /// <inheritdoc />
    public override SmtStatus Status => SmtStatus.Unsat;

    /// <inheritdoc />
    public override string ToString() => "unsat";
}

/// <summary>Not decided, with the reason.</summary>
internal sealed record Unknown : SmtResult
{
    /// <summary>The reason reported when the time limit was reached.</summary>
    public const string TimeoutReason = "timeout";

    /// <summary>Creates an unknown result.</summary>
    /// <param name="reason">Why: <see cref="TimeoutReason"/>, Z3's own reason (such as <c>(incomplete (theory arithmetic))</c>), or a failure.</param>
    public Unknown(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Reason = reason;
    }

    /// <summary>Why the backend could not decide.</summary>
    public string Reason { get; }

    /// <summary>Whether the time limit was the reason.</summary>
    public bool IsTimeout => Reason == TimeoutReason;

    /// <inheritdoc />
    public override SmtStatus Status => SmtStatus.Unknown;

    /// <inheritdoc />
    public override string ToString() => "unknown (" + Reason + ")";
}
