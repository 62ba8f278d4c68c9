namespace Planning.Execution.Moe;

/// <summary>What one simulated step of the MoE layers runs.</summary>
public enum MoeStepPhase
{
    /// <summary>
    /// A training step: forward and backward. The experts compute <c>6 x 3 x hidden x intermediate</c> FLOPs per routed
    /// token, and the all-to-all runs twice: the forward's dispatch and combine, and the backward's (the gradient of
    /// the combine is a dispatch and the gradient of the dispatch a combine, with the same bytes).
    /// </summary>
    Training,

    /// <summary>A prefill (inference) step: forward only, <c>2 x 3 x hidden x intermediate</c> FLOPs per routed token and one dispatch and combine.</summary>
    Prefill,
}
