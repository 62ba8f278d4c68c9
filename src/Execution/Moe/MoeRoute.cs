namespace Planning.Execution.Moe;

/// <summary>
/// One row of a <see cref="MoeDispatch"/>: <paramref name="Tokens"/> tokens that source rank
/// <paramref name="SourceRank"/> routed to logical expert <paramref name="Expert"/> and that instance
/// <paramref name="InstanceIndex"/> of the plan, hosted on <paramref name="TargetRank"/>, serves.
/// </summary>
/// <param name="SourceRank">The rank the tokens come from.</param>
/// <param name="Expert">The logical expert the tokens were routed to.</param>
/// <param name="InstanceIndex">The index into <see cref="Planning.Moe.LayerPlan.Instances"/> of the instance that serves them.</param>
/// <param name="TargetRank">The rank that hosts that instance and computes the tokens.</param>
/// <param name="Tokens">The number of tokens; always positive.</param>
public readonly record struct MoeRoute(int SourceRank, int Expert, int InstanceIndex, int TargetRank, int Tokens)
{
    /// <summary>Whether the tokens stay on their source rank (no all-to-all traffic).</summary>
    public bool IsLocal => SourceRank == TargetRank;
}
