using System.Net;
using System.Text;
using System.Text.Json;
using Planning.Embeddings;
using Planning.Knowledge;

namespace Planning.Cli.Tests;

public sealed class KbServeCommandTests
{
    private const string KeyVariable = "PLAN_KB_SERVE_TEST_KEY";

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--host", "example.com")]
    [InlineData("--max-body-bytes", "10")]
    [InlineData("--api-key-env", "PLAN_KB_SERVE_TEST_VARIABLE_THAT_IS_NOT_SET")]
    public void Serve_BadOption_Exit2NamingItAndNoDatabase(string option, string value)
    {
        using var dir = new PlanRunner.TempDir();
        var db = dir.File("kb.db");

        var (code, stdout, stderr) = PlanRunner.Run("kb", "serve", "--db", db, option, value);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"error: {option}: ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task Serve_RequestsThenSigterm_AnswersThenStopsGracefullyWithTheIngestKept()
    {
        using var dir = new PlanRunner.TempDir();
        var db = dir.File("kb.db");
        using var server = PlanProcess.Start(new Dictionary<string, string> { [KeyVariable] = "s3cret" }, "kb", "serve", "--db", db, "--port", "0", "--api-key-env", KeyVariable);
        var errors = server.StandardError.ReadToEndAsync();
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            if (line is null)
            {
                Assert.Fail("the server exited before listening: " + await errors);
            }

            Assert.Matches(@"^listening on http://127\.0\.0\.1:\d+/ \(0 experiences\)$", line);
            if (OperatingSystem.IsLinux())
            {
                // The server replaced its own image to run with tiered compilation: the same process, the switch set.
                Assert.Contains("DOTNET_TieredCompilation=1", File.ReadAllText($"/proc/{server.Id}/environ").Split('\0'));
            }

            using var client = new HttpClient { BaseAddress = new Uri(line.Split(' ')[2]) };
            var experience = """[{ "task": "rotate the TLS certificates", "domain": "ops", "plan": ["issue new ones", "reload nginx"], "experience": "reload, not restart", "outcome": "success" }]""";

            using var unauthorised = await client.PostAsync("experiences", new StringContent(experience, Encoding.UTF8, "application/json"));
            using var request = new HttpRequestMessage(HttpMethod.Post, "experiences") { Content = new StringContent(experience, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Api-Key", "s3cret");
            using var ingested = await client.SendAsync(request);
            using var search = await client.PostAsync("search/plan", new StringContent("""{ "task": "renew TLS certificates", "k": 3 }""", Encoding.UTF8, "application/json"));
            using var health = await client.GetAsync("health");

            Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
            Assert.Equal("""{"ingested":1,"ids":[1]}""", await ingested.Content.ReadAsStringAsync());
            using (var answer = JsonDocument.Parse(await search.Content.ReadAsStringAsync()))
            {
                Assert.Equal("rotate the TLS certificates", answer.RootElement.GetProperty("results")[0].GetProperty("task").GetString());
            }

            Assert.Equal("""{"status":"ok","experiences":1}""", await health.Content.ReadAsStringAsync());

            PlanProcess.Terminate(server);
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, server.ExitCode);
            Assert.Contains("serve: stopped (1 experiences)", await errors, StringComparison.Ordinal);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }

        using var embedder = new MiniLmEmbedder();
        using var reopened = KnowledgeBase.Open(db, embedder);
        Assert.Equal(1, reopened.Count);
        Assert.Equal("rotate the TLS certificates", reopened.Get(1)!.Task);
    }
}
