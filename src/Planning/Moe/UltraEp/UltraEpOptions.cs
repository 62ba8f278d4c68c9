namespace Planning.Moe.UltraEp;

/// <summary>Settings of UltraEP's quota planner.</summary>
public sealed record UltraEpOptions
{
    /// <summary>The defaults: no minimum quota (exact loads), 0.5 % slack for reusing replicas already in place.</summary>
    public static UltraEpOptions Default { get; } = new();

    /// <summary>
    /// The fewest tokens a replica may serve (0 = any). A replica costs a weight copy, so UltraEP's GPU default is 1024;
    /// 0 keeps the plan exact. A replica is only created when it can take at least this many tokens.
    /// </summary>
    public long MinReplicaQuota { get; init; }

    /// <summary>
    /// How much worse (relative to the fresh plan's largest rank load) an incremental plan may be when it reuses
    /// replicas already in place instead of moving weights: default 0.005 (0.5 %).
    /// </summary>
    public double ReuseSlack { get; init; } = 0.005;

    /// <summary>Bytes of one expert's weights, to report the bytes an incremental plan must move (default 0: not reported).</summary>
    public long ExpertBytes { get; init; }

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    public UltraEpOptions Validate()
    {
        if (MinReplicaQuota < 0)
        {
            throw new PlanningInputException("minReplicaQuota", $"must be non-negative, got {MinReplicaQuota}");
        }

        if (!(ReuseSlack >= 0) || double.IsInfinity(ReuseSlack))
        {
            throw new PlanningInputException("reuseSlack", $"must be a non-negative number, got {ReuseSlack}");
        }

        if (ExpertBytes < 0)
        {
            throw new PlanningInputException("expertBytes", $"must be non-negative, got {ExpertBytes}");
        }

        return this;
    }
}
