namespace Planning.Provers.Smt;

/// <summary>Settings of <see cref="Z3InProcessBackend"/>.</summary>
public sealed record Z3InProcessOptions
{
    /// <summary>
    /// How long past its limit a check may run before it is answered <c>unknown</c> (reason <c>timeout</c>) without Z3:
    /// Z3 is interrupted at the limit, and when its native call has still not returned at the limit plus this margin,
    /// the check returns and the context is abandoned to the thread that runs it (see <see cref="Z3InProcessBackend"/>).
    /// Positive, at most a day; 500 ms by default.
    /// </summary>
    public TimeSpan HardLimitMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How many abandoned checks may still be running inside Z3 (each keeps a core busy until Z3 returns, which inside
    /// Z3 4.8.12's unbounded nonlinear procedure may be never) before this backend sends its checks to a
    /// <see cref="Z3ProcessBackend"/> instead, until they have returned. At least 1; 1 by default.
    /// </summary>
    public int MaxStuckChecks { get; init; } = 1;

    /// <summary>
    /// Whether Z3's arithmetic solver may call its complete procedure for nonlinear real arithmetic (nlsat; Z3's
    /// parameter <c>smt.arith.nl.nra</c>). In Z3 4.8.12 that procedure cannot be interrupted once it runs unbounded,
    /// so with true a few nonlinear queries are only stopped by the hard limit (and leave a busy thread); with false
    /// they are answered <c>unknown</c> at once, and so are some nonlinear queries Z3 would otherwise decide. The same
    /// setting as <see cref="Z3ProcessOptions.UseNlsat"/>, so that both backends decide the same queries. Default true.
    /// </summary>
    public bool UseNlsat { get; init; } = true;

    /// <summary>
    /// The settings of the process backend the checks go to while too many checks are stuck (its
    /// <see cref="Z3ProcessOptions.UseNlsat"/> is replaced by this record's); defaults when null.
    /// </summary>
    public Z3ProcessOptions? Fallback { get; init; }

    /// <summary>The clock of the limits. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Runs on the check thread just before each native check, inside the interruptible window: tests stand in for a
    /// native call that does not return with it. Null in production.
    /// </summary>
    internal Action? BeforeNativeCheck { get; init; }
}
