namespace Planning.Execution.Moe;

/// <summary>
/// A layer plan cannot serve a layer's tokens: an expert with tokens has no instance, an expert's quotas do not sum
/// to its load, or the plan and the tokens disagree on the number of ranks or experts. The message names the expert
/// and the numbers.
/// </summary>
public sealed class MoeDispatchException : InvalidOperationException
{
    /// <summary>Creates the exception with a generic message (prefer a constructor that explains the problem).</summary>
    public MoeDispatchException()
        : base("The plan cannot serve the layer's tokens.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What does not match.</param>
    public MoeDispatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    /// <param name="message">What does not match.</param>
    /// <param name="innerException">The cause.</param>
    public MoeDispatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one expert.</summary>
    /// <param name="expert">The logical expert the plan cannot serve.</param>
    /// <param name="message">What does not match.</param>
    public MoeDispatchException(int expert, string message)
        : base(message)
    {
        Expert = expert;
    }

    /// <summary>The logical expert the plan cannot serve, when the problem concerns one expert; otherwise <see langword="null"/>.</summary>
    public int? Expert { get; }
}
