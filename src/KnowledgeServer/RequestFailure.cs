namespace Planning.Knowledge.Server;

/// <summary>
/// A request the server refuses: the HTTP status to answer and the body's <c>error</c> and <c>field</c>. Thrown by the
/// request readers and turned into a response by <see cref="ErrorResponses"/>; never escapes the server.
/// </summary>
internal sealed class RequestFailure : Exception
{
    public RequestFailure(int status, string? field, string problem)
        : base(problem)
    {
        Status = status;
        Field = field;
    }

    public RequestFailure()
        : this(400, null, "bad request")
    {
    }

    public RequestFailure(string message)
        : this(400, null, message)
    {
    }

    public RequestFailure(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    /// <summary>The request field at fault (a JSON path such as <c>[2].plan[0]</c>, or <c>body</c>), or null.</summary>
    public string? Field { get; }

    public static RequestFailure BadField(string field, string problem) => new(400, field, $"{field}: {problem}");
}
