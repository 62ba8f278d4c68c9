namespace Planning.Knowledge.Server.Tests;

public sealed class KnowledgeServerOptionsTests
{
    [Fact]
    public void Default_Validate_LoopbackPortAndFourMebibytes()
    {
        var options = KnowledgeServerOptions.Default.Validate();

        Assert.Equal(("127.0.0.1", 5380, 4L * 1024 * 1024, (string?)null), (options.Host, options.Port, options.MaxRequestBodyBytes, options.ApiKey));
    }

    [Theory]
    [InlineData("localhost", 0, 1024L)]
    [InlineData("::1", 65535, 256L * 1024 * 1024)]
    [InlineData("0.0.0.0", 8080, 4096L)]
    public void Validate_InRange_ReturnsSameInstance(string host, int port, long maxBody)
    {
        var options = new KnowledgeServerOptions { Host = host, Port = port, MaxRequestBodyBytes = maxBody, ApiKey = "k" };

        Assert.Same(options, options.Validate());
    }

    [Theory]
    [InlineData("example.com", 1, 4096L, null, "host")]
    [InlineData("", 1, 4096L, null, "host")]
    [InlineData("127.0.0.1:80", 1, 4096L, null, "host")]
    [InlineData("127.0.0.1", -1, 4096L, null, "port")]
    [InlineData("127.0.0.1", 65536, 4096L, null, "port")]
    [InlineData("127.0.0.1", 1, 1023L, null, "maxRequestBodyBytes")]
    [InlineData("127.0.0.1", 1, 268435457L, null, "maxRequestBodyBytes")]
    [InlineData("127.0.0.1", 1, 4096L, "", "apiKey")]
    [InlineData("127.0.0.1", 1, 4096L, "  ", "apiKey")]
    public void Validate_OutOfRange_ThrowsNamingTheField(string host, int port, long maxBody, string? apiKey, string field)
    {
        var options = new KnowledgeServerOptions { Host = host, Port = port, MaxRequestBodyBytes = maxBody, ApiKey = apiKey };

        var error = Assert.Throws<PlanningInputException>(() => options.Validate());

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void ToString_ApiKeySet_DoesNotContainTheKey()
    {
        var text = (KnowledgeServerOptions.Default with { ApiKey = "hunter2-secret" }).ToString();

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Equal("KnowledgeServerOptions { Host = 127.0.0.1, Port = 5380, MaxRequestBodyBytes = 4194304, ApiKey = set }", text);
    }
}
