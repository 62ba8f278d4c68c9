namespace Planning.Rollout;

/// <summary>What to do with a trajectory that has just entered a tool call.</summary>
internal enum MigrationKind
{
    /// <summary>Keep it on its instance.</summary>
    Stay,

    /// <summary>Move its KV cache to the target during the tool call (the transfer fits inside the tool time).</summary>
    MigrateKv,

    /// <summary>Resume it on the target, re-prefilling its whole context there (its cache stays behind and is freed).</summary>
    Reprefill,
}

/// <summary>A <see cref="MigrationPlanner"/> decision.</summary>
/// <param name="Kind">Stay, migrate the KV cache, or re-prefill on the target.</param>
/// <param name="TargetInstance">The instance it moves to; the source instance when it stays.</param>
/// <param name="TransferSeconds">Seconds the KV transfer takes (0 unless <see cref="MigrationKind.MigrateKv"/>).</param>
/// <param name="PrefillSeconds">Seconds of re-prefill on the target (0 unless <see cref="MigrationKind.Reprefill"/>).</param>
/// <param name="PredictedGainSeconds">How much earlier the later of the two instances is predicted to finish (after any prefill); 0 when it stays.</param>
internal sealed record MigrationDecision(
    MigrationKind Kind, int TargetInstance, double TransferSeconds, double PrefillSeconds, double PredictedGainSeconds);
