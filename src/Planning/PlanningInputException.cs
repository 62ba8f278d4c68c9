namespace Planning;

/// <summary>
/// Bad input to a planner: a field that is missing, negative, of the wrong shape or of the wrong type.
/// The message names the field (as a JSON path such as <c>tokensPerRankLayer[0][3][17]</c>) and the offending value,
/// so that a command-line tool can print it as one line.
/// </summary>
public sealed class PlanningInputException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/> with a message that explains what is wrong.</summary>
    /// <param name="field">The field, as a JSON path or option name.</param>
    /// <param name="problem">What is wrong with it, including the offending value.</param>
    public PlanningInputException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>Creates the exception without a field (prefer the other constructor).</summary>
    public PlanningInputException()
        : this("input", "invalid input")
    {
    }

    /// <summary>Creates the exception with a message only (prefer the constructor that names the field).</summary>
    /// <param name="message">The message.</param>
    public PlanningInputException(string message)
        : this("input", message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PlanningInputException(string message, Exception innerException)
        : base($"input: {message}", innerException)
    {
        Field = "input";
        Problem = message;
    }

    /// <summary>The field that is wrong, as a JSON path or option name.</summary>
    public string Field { get; }

    /// <summary>What is wrong with the field.</summary>
    public string Problem { get; }
}
