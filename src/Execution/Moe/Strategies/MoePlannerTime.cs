namespace Planning.Execution.Moe.Strategies;

/// <summary>Where a deployment strategy's planner spends its time, and so whether the step pays for it.</summary>
internal enum MoePlannerTime
{
    /// <summary>No planner: the force-balanced reference (the ideal).</summary>
    None,

    /// <summary>
    /// The plan is known before the microbatch starts (from earlier loads, or an oracle's), so the planner runs off the
    /// critical path and no time is charged.
    /// </summary>
    OffCriticalPath,

    /// <summary>The plan is made from the microbatch's own loads as they arrive: the planner's time is charged to every layer.</summary>
    OnCriticalPath,
}
