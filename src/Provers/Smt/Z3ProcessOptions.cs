namespace Planning.Provers.Smt;

/// <summary>Settings of <see cref="Z3ProcessBackend"/>.</summary>
public sealed record Z3ProcessOptions
{
    /// <summary>The Z3 executable: a path, or a name looked up on PATH. Default <c>z3</c> (Debian's package z3).</summary>
    public string ExecutablePath { get; init; } = "z3";

    /// <summary>
    /// Whether Z3 is also given its own (soft) timeout, 90% of the limit, so that it usually stops by itself and the
    /// process survives; the hard limit applies either way. Default true.
    /// </summary>
    public bool SoftTimeout { get; init; } = true;

    /// <summary>
    /// Whether Z3's arithmetic solver may call its complete procedure for nonlinear real arithmetic (nlsat; the option
    /// <c>smt.arith.nl.nra</c>); the same setting as <see cref="Z3InProcessOptions.UseNlsat"/>, where it matters more
    /// (Z3 4.8.12 cannot interrupt that procedure in-process). Default true.
    /// </summary>
    public bool UseNlsat { get; init; } = true;

    /// <summary>The clock for the hard limit. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
