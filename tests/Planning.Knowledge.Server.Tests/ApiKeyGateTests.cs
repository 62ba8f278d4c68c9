using Microsoft.AspNetCore.Http;

namespace Planning.Knowledge.Server.Tests;

public sealed class ApiKeyGateTests
{
    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "anything", true)]
    [InlineData("key", "key", true)]
    [InlineData("key", null, false)]
    [InlineData("key", "", false)]
    [InlineData("key", "kez", false)]
    [InlineData("key", "key ", false)]
    [InlineData("key", "KEY", false)]
    [InlineData("ключ-🔑", "ключ-🔑", true)]
    [InlineData("ключ-🔑", "ключ-🔒", false)]
    public void Check_ConfiguredAndPresentedKeys_PassesOnlyOnExactMatch(string? configured, string? presented, bool passes)
    {
        var request = new DefaultHttpContext().Request;
        if (presented is not null)
        {
            request.Headers[ApiKeyGate.Header] = presented;
        }

        var gate = new ApiKeyGate(configured);

        if (passes)
        {
            gate.Check(request);
        }
        else
        {
            Assert.Equal(401, Assert.Throws<RequestFailure>(() => gate.Check(request)).Status);
        }
    }
}
