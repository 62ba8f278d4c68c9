using System.Globalization;
using System.Net;

namespace Planning.Knowledge.Server;

/// <summary>
/// How <see cref="KnowledgeServer"/> listens and what it accepts: the address and port, the largest request body, and
/// an optional API key that every write must present.
/// </summary>
public sealed record KnowledgeServerOptions
{
    /// <summary>The port used when none is given.</summary>
    public const int DefaultPort = 5380;

    /// <summary>The largest request body accepted when none is given: 4 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 4L * 1024 * 1024;

    /// <summary>The largest request body limit that may be configured: 256 MiB.</summary>
    public const long MaxRequestBodyBytesLimit = 256L * 1024 * 1024;

    /// <summary>The smallest request body limit that may be configured: 1 KiB.</summary>
    public const long MinRequestBodyBytesLimit = 1024;

    /// <summary>The defaults: 127.0.0.1, port <see cref="DefaultPort"/>, 4 MiB bodies, no API key.</summary>
    public static KnowledgeServerOptions Default { get; } = new();

    /// <summary>
    /// The address to listen on: an IP address literal (IPv4 or IPv6) or <c>localhost</c> (the IPv4 loopback). The default,
    /// 127.0.0.1, accepts connections from this machine only; another address exposes the knowledge base to the network.
    /// </summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port, 0 to 65535; 0 lets the operating system pick a free one (the started server reports it).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// The largest request body in bytes, <see cref="MinRequestBodyBytesLimit"/> to <see cref="MaxRequestBodyBytesLimit"/>:
    /// a larger body, declared by <c>Content-Length</c> or sent chunked, is answered 413.
    /// </summary>
    public long MaxRequestBodyBytes { get; init; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// The API key that writes (<c>POST /experiences</c>) must send in the <c>X-Api-Key</c> header, or null for none.
    /// Searches and health never need it. Compared in constant time.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>The address to bind, parsed from <see cref="Host"/>.</summary>
    internal IPAddress Address => Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(Host);

    /// <summary>Checks every field.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="PlanningInputException">A field is out of range; the exception names it.</exception>
    public KnowledgeServerOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Host) || (Host != "localhost" && !IPAddress.TryParse(Host, out _)))
        {
            throw new PlanningInputException("host", $"must be an IP address or localhost, got \"{Host}\"");
        }

        if (Port is < 0 or > 65535)
        {
            throw new PlanningInputException("port", string.Create(CultureInfo.InvariantCulture, $"must be 0 to 65535, got {Port}"));
        }

        if (MaxRequestBodyBytes is < MinRequestBodyBytesLimit or > MaxRequestBodyBytesLimit)
        {
            throw new PlanningInputException(
                "maxRequestBodyBytes",
                string.Create(CultureInfo.InvariantCulture, $"must be {MinRequestBodyBytesLimit} to {MaxRequestBodyBytesLimit}, got {MaxRequestBodyBytes}"));
        }

        if (ApiKey is not null && string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new PlanningInputException("apiKey", "must not be empty or blank (leave it null for no key)");
        }

        return this;
    }

    /// <summary>The options without the API key's value, so that a log line never carries the secret.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"KnowledgeServerOptions {{ Host = {Host}, Port = {Port}, MaxRequestBodyBytes = {MaxRequestBodyBytes}, ApiKey = {(ApiKey is null ? "none" : "set")} }}");
}
