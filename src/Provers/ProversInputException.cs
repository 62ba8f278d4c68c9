namespace Planning.Provers;

/// <summary>
/// Bad input to a Provers reader (for example a candidates document): a field that is missing or of the wrong shape or
/// type. The message names the field (a JSON path such as <c>candidates[1]</c>, or the document) and what is wrong, so
/// that a command-line tool can print it as one line. The same shape as Planning's own input exception, without making
/// this package depend on Planning.
/// </summary>
public sealed class ProversInputException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/> with a message that explains what is wrong.</summary>
    /// <param name="field">The field, as a JSON path or the name of the document.</param>
    /// <param name="problem">What is wrong with it, including the offending value where there is one.</param>
    public ProversInputException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>Creates the exception without a field (prefer the constructor that names the field).</summary>
    public ProversInputException()
        : this("input", "invalid input")
    {
    }

    /// <summary>Creates the exception with a message only (prefer the constructor that names the field).</summary>
    /// <param name="message">The message.</param>
    public ProversInputException(string message)
        : this("input", message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProversInputException(string message, Exception innerException)
        : base($"input: {message}", innerException)
    {
        Field = "input";
        Problem = message;
    }

    /// <summary>The field that is wrong, as a JSON path or the name of the document.</summary>
    public string Field { get; }

    /// <summary>What is wrong with the field.</summary>
    public string Problem { get; }
}
