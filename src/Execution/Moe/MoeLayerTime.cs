namespace Planning.Execution.Moe;

/// <summary>
/// The simulated time of one MoE layer in one step, by part (see <see cref="MoeStepSimulator"/> for the model). All
/// figures are in seconds; <see cref="TotalSeconds"/> is their sum, less the part of the weight sync that overlaps the
/// dispatch.
/// </summary>
/// <param name="DispatchSeconds">Every dispatch all-to-all of the step (in training: the forward's dispatch and the backward's gradient of the combine).</param>
/// <param name="ComputeSeconds">The busiest rank's expert compute (forward and backward in training).</param>
/// <param name="CombineSeconds">Every combine all-to-all of the step (the same bytes back).</param>
/// <param name="WeightSyncSeconds">The predicted time of the relay weight-sync schedule for the new replicas (0 when none is on the critical path).</param>
/// <param name="ExposedWeightSyncSeconds">The part of the weight sync that the forward dispatch does not hide: <c>max(0, sync - one dispatch)</c>.</param>
/// <param name="PlannerSeconds">The planner's own time when it runs on the critical path (UltraEP); 0 otherwise.</param>
public readonly record struct MoeLayerTime(
    double DispatchSeconds,
    double ComputeSeconds,
    double CombineSeconds,
    double WeightSyncSeconds,
    double ExposedWeightSyncSeconds,
    double PlannerSeconds)
{
    /// <summary>The layer's time: dispatch + compute + combine + exposed weight sync + planner.</summary>
    public double TotalSeconds => DispatchSeconds + ComputeSeconds + CombineSeconds + ExposedWeightSyncSeconds + PlannerSeconds;

    /// <summary>All all-to-all time of the layer: dispatch and combine.</summary>
    public double AllToAllSeconds => DispatchSeconds + CombineSeconds;
}
