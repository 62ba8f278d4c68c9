namespace Planning.Rollout;

/// <summary>
/// What Heddle predicts of an unfinished trajectory at a decision during a rollout (a tool call, a regroup): the plain
/// input of <see cref="HeddlePlanner.DecideMigration"/> and <see cref="HeddlePlanner.PlanRegroup"/>.
/// </summary>
/// <param name="Instance">The instance it is assigned to.</param>
/// <param name="RemainingTokens">Its predicted remaining output tokens (at least 0).</param>
/// <param name="ContextTokens">Its context now: prompt, outputs and observations so far.</param>
internal readonly record struct TrajectoryForecast(int Instance, double RemainingTokens, long ContextTokens);

/// <summary>Forecasts grouped by instance, and the continuous-batch estimate of a group's remaining decode time.</summary>
internal static class InstanceForecasts
{
    /// <summary>
    /// The forecasts of each instance, longest predicted work first (the sort is the framework's unstable one on the
    /// forecasts in the caller's order, so equal work falls the same way for the same input).
    /// </summary>
    public static List<TrajectoryForecast>[] Group(IReadOnlyList<TrajectoryForecast> forecasts, int instances)
    {
        var groups = new List<TrajectoryForecast>[instances];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = [];
        }

        foreach (var forecast in forecasts)
        {
            groups[forecast.Instance].Add(forecast);
        }

        foreach (var group in groups)
        {
            group.Sort(static (a, b) => b.RemainingTokens.CompareTo(a.RemainingTokens));
        }

        return groups;
    }

    /// <summary>
    /// A group's predicted remaining decode seconds at a degree: its members' remaining tokens run as one continuous
    /// batch (the longest w1 &gt;= w2 &gt;= ...; the batch holds k members for w(k) - w(k+1) iterations), as
    /// <see cref="GroupTimeEstimator"/> models a group, without prefill.
    /// </summary>
    /// <param name="cost">The cost model.</param>
    /// <param name="group">The group, longest work first (<see cref="Group"/>).</param>
    /// <param name="degree">The instance's tensor-parallel degree.</param>
    public static double BatchSeconds(IInferenceCostModel cost, List<TrajectoryForecast> group, int degree)
    {
        // The batch of the k longest holds their contexts at mid-work (each member's context plus half its remaining tokens).
        double batchContext = 0;
        double load = 0;
        for (var k = 0; k < group.Count; k++)
        {
            batchContext += group[k].ContextTokens + (group[k].RemainingTokens / 2);
            var next = k + 1 < group.Count ? group[k + 1].RemainingTokens : 0;
            load += (group[k].RemainingTokens - next) * cost.DecodeIterationSeconds(k + 1, (long)batchContext, degree);
        }

        return load;
    }

    /// <summary>The group's summed context at mid-work (each member's context plus half its remaining tokens), in group order.</summary>
    public static double MidWorkContext(List<TrajectoryForecast> group)
    {
        double context = 0;
        foreach (var member in group)
        {
            context += member.ContextTokens + (member.RemainingTokens / 2);
        }

        return context;
    }
}
