using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Planning.Knowledge.Server.Tests;

/// <summary>
/// A knowledge server in memory (TestServer) over a fresh knowledge base in a temporary directory, with the
/// <see cref="HashingEmbedder"/>; removed on dispose.
/// </summary>
internal sealed class TestKnowledgeServer : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;

    private TestKnowledgeServer(DirectoryInfo directory, KnowledgeBase knowledgeBase, WebApplication app)
    {
        _directory = directory;
        KnowledgeBase = knowledgeBase;
        App = app;
        Client = app.GetTestClient();
    }

    public KnowledgeBase KnowledgeBase { get; }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<TestKnowledgeServer> StartAsync(KnowledgeServerOptions? options = null)
    {
        var directory = Directory.CreateTempSubdirectory("kb-server-tests-");
        var knowledgeBase = KnowledgeBase.Open(Path.Combine(directory.FullName, "kb.db"), new HashingEmbedder());
        var app = KnowledgeServer.Build(options ?? KnowledgeServerOptions.Default, knowledgeBase, builder => builder.WebHost.UseTestServer());
        await app.StartAsync();
        return new TestKnowledgeServer(directory, knowledgeBase, app);
    }

    /// <summary>POSTs a body given as text (sent as UTF-8 JSON).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string body, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return Client.SendAsync(request);
    }

    /// <summary>POSTs raw bytes, with a <c>Content-Length</c> or chunked (no length).</summary>
    public Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body, bool chunked)
    {
        HttpContent content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Client.PostAsync(path, content);
    }

    /// <summary>Ingests experiences and returns their ids, asserting 200.</summary>
    public async Task<long[]> IngestAsync(params string[] experiences)
    {
        using var response = await PostAsync("/experiences", "[" + string.Join(",", experiences) + "]");
        var json = await ReadJsonAsync(response);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, json.GetRawText());
        return [.. json.GetProperty("ids").EnumerateArray().Select(id => id.GetInt64())];
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>One experience as JSON text.</summary>
    public static string Experience(string task, string[] plan, string outcome = "success", string domain = "web", string experience = "it worked", string? suggestions = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["task"] = task,
            ["domain"] = domain,
            ["plan"] = plan,
            ["experience"] = experience,
            ["suggestions"] = suggestions,
            ["outcome"] = outcome,
        });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        KnowledgeBase.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>A read-only stream that does not report its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
