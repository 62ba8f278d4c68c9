namespace Planning.Rollout;

/// <summary>
/// What a scheduler knows about a running trajectory: its prompt and the turns it has completed so far, never the
/// turns still to come. The input of a <see cref="IRemainingWorkPredictor"/>.
/// </summary>
/// <param name="PromptTokens">Tokens of the initial prompt.</param>
/// <param name="CompletedTurns">Turns fully generated so far.</param>
/// <param name="GeneratedTokens">Output tokens generated so far (all completed turns, plus the current turn's tokens so far).</param>
/// <param name="ContextTokens">The current context length (prompt, outputs and observations so far).</param>
/// <param name="LastTurnOutputTokens">The output tokens of the last completed turn; 0 before the first turn completes.</param>
public readonly record struct TrajectoryProgress(
    int PromptTokens, int CompletedTurns, long GeneratedTokens, long ContextTokens, int LastTurnOutputTokens);
