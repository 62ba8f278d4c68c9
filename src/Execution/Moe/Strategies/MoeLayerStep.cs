namespace Planning.Execution.Moe.Strategies;

/// <summary>What one layer of one microbatch cost a strategy. Immutable.</summary>
/// <param name="Time">The layer's time by part (the planner's own time is charged once the run is over).</param>
/// <param name="Imbalance">The plan's compute imbalance (max / mean rank load); 1 for the force-balanced reference.</param>
/// <param name="Replicas">The plan's replicas.</param>
/// <param name="BytesSynced">Weight bytes copied to the plan's new replicas, on the critical path or not.</param>
/// <param name="RankLoads">Tokens each rank computes (read for layer 0 only, for plots).</param>
/// <param name="TookPlannedAllToAll">
/// Whether a reference took a planned strategy's all-to-all because it beat the uniform spread
/// (<see cref="MoeSimulationResult.IdealAllToAllFromPlans"/>).
/// </param>
internal sealed record MoeLayerStep(MoeLayerTime Time, double Imbalance, int Replicas, long BytesSynced, IEnumerable<double> RankLoads, bool TookPlannedAllToAll = false);
