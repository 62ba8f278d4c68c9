namespace Planning.Knowledge;

/// <summary>
/// One agent experience: the task an agent worked on, the workflow it followed (the plan, one step per entry), what it
/// learned, and how the run ended. Immutable; <see cref="Id"/> is 0 before the experience is stored and the store's id
/// afterwards. Field limits: <see cref="ExperienceLimits"/>; JSON shape: <see cref="ExperienceJson"/>.
/// </summary>
/// <param name="Id">The store's id (0 before the experience is stored).</param>
/// <param name="Task">The task, in words (required).</param>
/// <param name="Domain">The task's domain, such as <c>web-navigation</c> or <c>math</c> (required).</param>
/// <param name="Difficulty">How hard the task is, in the source's words (optional).</param>
/// <param name="Plan">The workflow steps, in order (at least one).</param>
/// <param name="ExperienceText">What the agent learned (JSON <c>experience</c>, required).</param>
/// <param name="Suggestions">Advice for the next agent (optional).</param>
/// <param name="Outcome">Whether the run succeeded.</param>
/// <param name="OutcomeReason">Why it ended as it did (optional).</param>
/// <param name="SourceFramework">The agent framework that produced it (JSON <c>source</c>, optional).</param>
/// <param name="Links">Related URLs or references (possibly empty).</param>
public sealed record Experience(
    long Id,
    string Task,
    string Domain,
    string? Difficulty,
    IReadOnlyList<string> Plan,
    string ExperienceText,
    string? Suggestions,
    ExperienceOutcome Outcome,
    string? OutcomeReason,
    string? SourceFramework,
    IReadOnlyList<string> Links)
{
    /// <summary>
    /// The text the retrievers index: the task, then each plan step on its own line. Both BM25 and the dense vector
    /// read this text.
    /// </summary>
    public string RetrievalText => Task + "\n" + string.Join('\n', Plan);
}
