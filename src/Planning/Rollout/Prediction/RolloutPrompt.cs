namespace Planning.Rollout;

/// <summary>
/// What an orchestrator knows of a trajectory before it runs: its id, its GRPO group and its prompt's length, never
/// the turns, tool calls and observations still to come (a rollout simulator hands policies these, not the trace).
/// </summary>
/// <param name="Id">The trajectory's id.</param>
/// <param name="Group">Its GRPO group (the prompt its samples share).</param>
/// <param name="PromptTokens">Tokens of its prompt.</param>
public sealed record RolloutPrompt(string Id, string Group, int PromptTokens)
{
    /// <summary>The known part of a trajectory.</summary>
    /// <param name="trajectory">The trajectory.</param>
    /// <returns>Its id, group and prompt length.</returns>
    public static RolloutPrompt Of(Trajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        return new RolloutPrompt(trajectory.Id, trajectory.Group, trajectory.PromptTokens);
    }
}
