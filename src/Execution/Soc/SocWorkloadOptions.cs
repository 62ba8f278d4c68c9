using System.Globalization;

namespace Planning.Execution.Soc;

/// <summary>
/// Settings of <see cref="SocWorkloadGenerator"/>: Poisson arrival rates of reactive and proactive requests, how long
/// requests arrive for, and the seed.
/// </summary>
public sealed record SocWorkloadOptions
{
    /// <summary>The lowest non-zero arrival rate, in requests per minute.</summary>
    public const double MinRatePerMinute = 1;

    /// <summary>The highest arrival rate, in requests per minute.</summary>
    public const double MaxRatePerMinute = 30;

    /// <summary>The defaults: 3 reactive and 6 proactive requests a minute for 10 minutes, seed 1.</summary>
    public static SocWorkloadOptions Default { get; } = new();

    /// <summary>Reactive arrivals per minute (Poisson): 0 for none, else 1 to 30. Default 3.</summary>
    public double ReactivePerMinute { get; init; } = 3;

    /// <summary>Proactive arrivals per minute (Poisson): 0 for none, else 1 to 30. Default 6.</summary>
    public double ProactivePerMinute { get; init; } = 6;

    /// <summary>How long requests arrive for, in minutes (more than 0, at most a day). Default 10.</summary>
    public double DurationMinutes { get; init; } = 10;

    /// <summary>The seed of the arrivals and length draws. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks the settings; errors name the field.</summary>
    /// <returns>These settings.</returns>
    /// <exception cref="PlanningInputException">A rate is neither 0 nor from 1 to 30, both rates are 0, or the duration is out of range.</exception>
    public SocWorkloadOptions Validate()
    {
        Rate("reactivePerMinute", ReactivePerMinute);
        Rate("proactivePerMinute", ProactivePerMinute);
        if (ReactivePerMinute == 0 && ProactivePerMinute == 0)
        {
            throw new PlanningInputException("reactivePerMinute", "and proactivePerMinute must not both be 0: the workload would be empty");
        }

        if (!double.IsFinite(DurationMinutes) || DurationMinutes <= 0 || DurationMinutes > 24 * 60)
        {
            throw new PlanningInputException("durationMinutes", Invariant($"must be more than 0 and at most 1440 (a day), got {DurationMinutes}"));
        }

        return this;
    }

    private static void Rate(string field, double rate)
    {
        if (!double.IsFinite(rate) || (rate != 0 && rate is < MinRatePerMinute or > MaxRatePerMinute))
        {
            throw new PlanningInputException(field, Invariant($"must be 0 (none) or from {MinRatePerMinute} to {MaxRatePerMinute} requests per minute, got {rate}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
