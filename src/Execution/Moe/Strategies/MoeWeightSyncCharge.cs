namespace Planning.Execution.Moe.Strategies;

/// <summary>What a deployment strategy pays to copy weights to the new replicas of a plan (the bytes are counted either way).</summary>
internal enum MoeWeightSyncCharge
{
    /// <summary>The placement is known before the microbatch, so the weights move off the critical path: no time is charged.</summary>
    OffCriticalPath,

    /// <summary>
    /// The weights move once the plan is made, by the relay fan-out schedule (<see cref="MoeStepSimulator.PlanWeightSync"/>);
    /// the part the forward dispatch does not hide is charged.
    /// </summary>
    ExposedRelay,
}
