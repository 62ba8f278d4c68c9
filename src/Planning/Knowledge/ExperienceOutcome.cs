namespace Planning.Knowledge;

/// <summary>How the run an experience records ended.</summary>
public enum ExperienceOutcome
{
    /// <summary>The task was solved (JSON <c>"success"</c>).</summary>
    Success,

    /// <summary>The task was not solved (JSON <c>"failure"</c>).</summary>
    Failure,
}
