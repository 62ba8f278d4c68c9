using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Planning.Knowledge.Server;

/// <summary>
/// Checks the <c>X-Api-Key</c> header of a write against the configured key. Both sides are hashed (SHA-256) and the
/// hashes compared with <see cref="CryptographicOperations.FixedTimeEquals"/>, so the time taken depends neither on where
/// the first differing byte is nor on the key's length.
/// </summary>
internal sealed class ApiKeyGate
{
    /// <summary>The header a write presents its key in.</summary>
    public const string Header = "X-Api-Key";

    private readonly byte[]? _expected;

    public ApiKeyGate(string? apiKey)
    {
        _expected = apiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
    }

    /// <summary>Throws 401 unless no key is configured or the request carries exactly one matching key.</summary>
    public void Check(HttpRequest request)
    {
        if (_expected is null)
        {
            return;
        }

        var presented = request.Headers[Header];
        if (presented.Count == 0)
        {
            throw new RequestFailure(StatusCodes.Status401Unauthorized, Header, $"{Header}: required for writes");
        }

        var key = presented.Count == 1 ? presented[0] ?? string.Empty : string.Empty;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        if (!CryptographicOperations.FixedTimeEquals(hash, _expected))
        {
            throw new RequestFailure(StatusCodes.Status401Unauthorized, Header, $"{Header}: wrong key");
        }
    }
}
