using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using static Planning.Knowledge.Server.Tests.TestKnowledgeServer;

namespace Planning.Knowledge.Server.Tests;

public sealed class KnowledgeServerTests
{
    private static readonly string[] ResultFields =
        ["id", "task", "score", "foundBy", "bm25Rank", "denseRank", "withheld", "reason", "experience"];

    [Fact]
    public async Task Health_EmptyBase_OkWithZeroExperiences()
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("""{"status":"ok","experiences":0}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostExperiences_Array_AnswersCountAndIdsAndStoresEachVerbatim()
    {
        await using var server = await StartAsync();
        string[] plan = ["open the login page", "fill the form", "submit"];

        using var response = await server.PostAsync("/experiences", "[" +
            Experience("log into the shop", plan, suggestions: "wait for the captcha") + "," +
            Experience("book a flight to Oslo", ["search flights", "pick the cheapest"], outcome: "failure") + "]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal(2, body.GetProperty("ingested").GetInt32());
        var ids = body.GetProperty("ids").EnumerateArray().Select(id => id.GetInt64()).ToArray();
        Assert.Equal(2, ids.Length);
        Assert.Equal(2, server.KnowledgeBase.Count);
        var first = server.KnowledgeBase.Get(ids[0])!;
        Assert.Equal(("log into the shop", "web", "it worked", "wait for the captcha", ExperienceOutcome.Success), (first.Task, first.Domain, first.ExperienceText, first.Suggestions, first.Outcome));
        Assert.Equal(plan, first.Plan);
        var second = server.KnowledgeBase.Get(ids[1])!;
        Assert.Equal(("book a flight to Oslo", ExperienceOutcome.Failure), (second.Task, second.Outcome));
    }

    [Fact]
    public async Task GetExperience_StoredId_ReturnsItsFields()
    {
        await using var server = await StartAsync();
        var ids = await server.IngestAsync(Experience("rename a column", ["alter table", "update views"], suggestions: "check the views"));

        using var response = await server.Client.GetAsync($"/experiences/{ids[0]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal(ids[0], body.GetProperty("id").GetInt64());
        Assert.Equal("rename a column", body.GetProperty("task").GetString());
        Assert.Equal(["alter table", "update views"], body.GetProperty("plan").EnumerateArray().Select(step => step.GetString()));
        Assert.Equal("check the views", body.GetProperty("suggestions").GetString());
        Assert.Equal("success", body.GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("/experiences/999", HttpStatusCode.NotFound)]
    [InlineData("/experiences/0", HttpStatusCode.BadRequest)]
    [InlineData("/experiences/-1", HttpStatusCode.BadRequest)]
    [InlineData("/experiences/abc", HttpStatusCode.BadRequest)]
    [InlineData("/experiences/99999999999999999999999", HttpStatusCode.BadRequest)]
    [InlineData("/experiences/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.BadRequest)]
    public async Task GetExperience_UnknownOrMalformedId_AnswersErrorNamingId(string path, HttpStatusCode expected)
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("id", (await ReadJsonAsync(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task SearchPlan_StoredTasks_AnswersWhatTheLibraryAnswersWithEveryField()
    {
        await using var server = await StartAsync();
        await server.IngestAsync(
            Experience("deploy the web service to staging", ["build the image", "push it", "roll out"]),
            Experience("deploy the database migration", ["back up", "run the migration"], outcome: "failure"),
            Experience("write release notes", ["collect the changes", "summarise them"]));
        var expected = server.KnowledgeBase.SearchPlan("deploy the web service", 2);

        using var response = await server.PostAsync("/search/plan", """{ "task": "deploy the web service", "k": 2 }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal(expected.Stage, body.GetProperty("stage").GetString());
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(expected.Results.Count, results.Length);
        Assert.NotEmpty(results);
        for (var i = 0; i < results.Length; i++)
        {
            AssertResult(expected.Results[i], results[i]);
        }
    }

    [Fact]
    public async Task SearchFeedback_PlanAndSummary_AnswersWhatTheLibraryAnswers()
    {
        await using var server = await StartAsync();
        await server.IngestAsync(
            Experience("scrape product prices", ["open the catalogue", "parse the table"], suggestions: "use the JSON endpoint"),
            Experience("scrape product prices", ["open the catalogue", "screenshot the page"], outcome: "failure"));
        string[] plan = ["open the catalogue", "parse the table"];
        var expected = server.KnowledgeBase.SearchFeedback("scrape product prices", plan, "the table is rendered by script", 5);

        using var response = await server.PostAsync("/search/feedback",
            """{ "task": "scrape product prices", "plan": ["open the catalogue", "parse the table"], "summary": "the table is rendered by script", "k": 5 }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await ReadJsonAsync(response)).GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(expected.Results.Count, results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            AssertResult(expected.Results[i], results[i]);
        }
    }

    [Theory]
    [InlineData(null, RetrievalMode.Fusion)]
    [InlineData("fusion", RetrievalMode.Fusion)]
    [InlineData("bm25", RetrievalMode.Bm25)]
    [InlineData("dense", RetrievalMode.Dense)]
    public async Task SearchHybrid_Mode_AnswersWhatTheLibraryAnswersInThatMode(string? mode, RetrievalMode expectedMode)
    {
        await using var server = await StartAsync();
        await server.IngestAsync(
            Experience("train a tokenizer", ["collect text", "fit BPE"]),
            Experience("evaluate the tokenizer", ["load the vocabulary", "count tokens per word"]),
            Experience("order lunch", ["open the menu", "pick soup"]));
        var expected = server.KnowledgeBase.SearchHybrid("tokenizer vocabulary", 3, expectedMode);
        var modeField = mode is null ? string.Empty : $", \"mode\": \"{mode}\"";

        using var response = await server.PostAsync("/search/hybrid", $$"""{ "query": "tokenizer vocabulary", "k": 3{{modeField}} }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await ReadJsonAsync(response)).GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(expected.Results.Count, results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            AssertResult(expected.Results[i], results[i]);
        }
    }

    [Fact]
    public async Task SearchPlan_NoK_ReturnsAtMostFive()
    {
        await using var server = await StartAsync();
        await server.IngestAsync([.. Enumerable.Range(0, 8).Select(i => Experience($"fix flaky test number {i}", ["rerun", "bisect"]))]);

        using var response = await server.PostAsync("/search/plan", """{ "task": "fix flaky test" }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, (await ReadJsonAsync(response)).GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("/search/plan", """{ "task": "x", "k": 0 }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": 101 }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": -3 }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": 2.5 }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": 1e400 }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": 99999999999999999999 }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": "5" }""", "k")]
    [InlineData("/search/plan", """{ "task": "x", "k": true }""", "k")]
    [InlineData("/search/plan", """{ "task": 5 }""", "task")]
    [InlineData("/search/plan", """{ "task": ["a"] }""", "task")]
    [InlineData("/search/plan", """{ "task": "" }""", "task")]
    [InlineData("/search/plan", """{ "task": "   " }""", "task")]
    [InlineData("/search/plan", """{ "task": null }""", "task")]
    [InlineData("/search/plan", """{ "k": 3 }""", "task")]
    [InlineData("/search/plan", """{ "task": "\ud800" }""", "task")]
    [InlineData("/search/plan", """[ { "task": "x" } ]""", "body")]
    [InlineData("/search/plan", "\"task\"", "body")]
    [InlineData("/search/feedback", """{ "task": "x", "summary": "s" }""", "plan")]
    [InlineData("/search/feedback", """{ "task": "x", "plan": "step", "summary": "s" }""", "plan")]
    [InlineData("/search/feedback", """{ "task": "x", "plan": ["a", 7], "summary": "s" }""", "plan[1]")]
    [InlineData("/search/feedback", """{ "task": "x", "plan": ["a"] }""", "summary")]
    [InlineData("/search/feedback", """{ "task": "x", "plan": ["a"], "summary": {} }""", "summary")]
    [InlineData("/search/hybrid", """{ "k": 3 }""", "query")]
    [InlineData("/search/hybrid", """{ "query": "x", "mode": "cosine" }""", "mode")]
    [InlineData("/search/hybrid", """{ "query": "x", "mode": 1 }""", "mode")]
    [InlineData("/search/hybrid", """{ "query": "x", "mode": "BM25" }""", "mode")]
    [InlineData("/experiences", """{ "task": "x" }""", "body")]
    [InlineData("/experiences", """[ 5 ]""", "[0]")]
    public async Task Post_WrongTypeMissingOrOutOfRange_400NamingTheField(string path, string body, string field)
    {
        await using var server = await StartAsync();

        using var response = await server.PostAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ReadJsonAsync(response);
        Assert.StartsWith(field, error.GetProperty("field").GetString(), StringComparison.Ordinal);
        Assert.Contains(field, error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_OverTheKnowledgeBaseLimits_400NamingTheField()
    {
        await using var server = await StartAsync();
        var longTask = new string('t', ExperienceLimits.MaxTaskChars + 1);
        var manySteps = Enumerable.Repeat("step", ExperienceLimits.MaxSteps + 1).ToArray();
        var longStep = new string('s', ExperienceLimits.MaxStepChars + 1);

        (string Path, object Body, string Field)[] cases =
        [
            ("/search/plan", new { task = longTask }, "task"),
            ("/search/plan", new { task = new string('t', ExperienceLimits.MaxTaskChars) }, string.Empty),
            ("/search/feedback", new { task = "t", plan = manySteps, summary = "s" }, "plan"),
            ("/search/feedback", new { task = "t", plan = new[] { "a", longStep }, summary = "s" }, "plan[1]"),
            ("/search/feedback", new { task = "t", plan = Array.Empty<string>(), summary = string.Empty }, string.Empty),
        ];
        foreach (var (path, body, field) in cases)
        {
            using var response = await server.PostAsync(path, JsonSerializer.Serialize(body));

            Assert.Equal(field.Length == 0 ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
            if (field.Length > 0)
            {
                Assert.Equal(field, (await ReadJsonAsync(response)).GetProperty("field").GetString());
            }
        }
    }

    [Fact]
    public async Task PostExperiences_SecondExperienceInvalid_400NamingItAndNothingStored()
    {
        await using var server = await StartAsync();

        using var response = await server.PostAsync("/experiences",
            "[" + Experience("valid task", ["a step"]) + """, { "domain": "web", "plan": ["a"], "experience": "e", "outcome": "success" }]""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var field = (await ReadJsonAsync(response)).GetProperty("field").GetString()!;
        Assert.StartsWith("[1]", field, StringComparison.Ordinal);
        Assert.Contains("task", field, StringComparison.Ordinal);
        Assert.Equal(0, server.KnowledgeBase.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[")]
    [InlineData("[{\"task\": \"x\",]")]
    [InlineData("{\"task\": \"x\"} trailing")]
    [InlineData("{\"task\": 'x'}")]
    [InlineData("{task: \"x\"}")]
    [InlineData("/* comment */ {\"task\": \"x\"}")]
    [InlineData("{\"task\": \"x\", \"task\": \"y\"}")]
    [InlineData("{\"task\": \"x\", \"k\": NaN}")]
    [InlineData("nul")]
    [InlineData("\"unterminated")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    public async Task Post_MalformedJson_400WithFieldBody(string body)
    {
        await using var server = await StartAsync();

        foreach (var path in new[] { "/experiences", "/search/plan", "/search/feedback", "/search/hybrid" })
        {
            using var response = await server.PostAsync(path, body);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await ReadJsonAsync(response);
            Assert.Equal("body", error.GetProperty("field").GetString());
            Assert.StartsWith("body: ", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Post_InvalidUtf8_400()
    {
        await using var server = await StartAsync();
        byte[] body = [.. "{\"task\": \""u8, 0xC3, 0x28, .. "\"}"u8];

        using var response = await server.PostBytesAsync("/search/plan", body, chunked: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", (await ReadJsonAsync(response)).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_BodyAtTheLimit_AcceptedAndOneByteMore_413(bool chunked)
    {
        const int limit = 2048;
        await using var server = await StartAsync(KnowledgeServerOptions.Default with { MaxRequestBodyBytes = limit });
        var json = """{ "task": "deploy", "k": 1 }""";
        var atLimit = Encoding.UTF8.GetBytes(json + new string(' ', limit - json.Length));
        var overLimit = Encoding.UTF8.GetBytes(json + new string(' ', limit + 1 - json.Length));

        using var accepted = await server.PostBytesAsync("/search/plan", atLimit, chunked);
        using var refused = await server.PostBytesAsync("/search/plan", overLimit, chunked);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("body", (await ReadJsonAsync(refused)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task PostExperiences_Oversized_413AndNothingStored()
    {
        await using var server = await StartAsync(KnowledgeServerOptions.Default with { MaxRequestBodyBytes = 4096 });
        var many = "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => Experience($"task {i}", ["step"]))) + "]";

        using var response = await server.PostAsync("/experiences", many);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, server.KnowledgeBase.Count);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("", HttpStatusCode.Unauthorized)]
    [InlineData("secret-kex", HttpStatusCode.Unauthorized)]
    [InlineData("secret-key-and-more", HttpStatusCode.Unauthorized)]
    [InlineData("SECRET-KEY", HttpStatusCode.Unauthorized)]
    [InlineData("secret-key", HttpStatusCode.OK)]
    public async Task PostExperiences_ApiKeyConfigured_OnlyTheRightKeyWrites(string? key, HttpStatusCode expected)
    {
        await using var server = await StartAsync(KnowledgeServerOptions.Default with { ApiKey = "secret-key" });

        using var response = await server.PostAsync("/experiences", "[" + Experience("a task", ["a step"]) + "]", key);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, server.KnowledgeBase.Count);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("X-Api-Key", (await ReadJsonAsync(response)).GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task PostExperiences_ApiKeyConfiguredAndTwoKeyHeaders_401()
    {
        await using var server = await StartAsync(KnowledgeServerOptions.Default with { ApiKey = "k" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/experiences") { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", ["k", "k"]);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Search_ApiKeyConfigured_ReadsNeedNoKey()
    {
        await using var server = await StartAsync(KnowledgeServerOptions.Default with { ApiKey = "secret-key" });

        using var search = await server.PostAsync("/search/plan", """{ "task": "anything" }""");
        using var health = await server.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData("Robert'); DROP TABLE experiences;--")]
    [InlineData("' OR '1'='1")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("..\\..\\windows\\system32\\config")]
    [InlineData("kb.db; rm -rf /")]
    [InlineData("<script>alert('x')</script>")]
    [InlineData("\"quoted\" \\ backslash \t tab \n newline")]
    [InlineData("Ünïcödé 漢字 العربية עברית 🚀👩‍👩‍👧 \u200b zero-width")]
    [InlineData("title:(deploy OR *) AND field:\"x\"~2 +must -not ^3")]
    public async Task PostExperiences_InjectionStrings_StoredVerbatimAndReturnedIntact(string text)
    {
        await using var server = await StartAsync();

        var ids = await server.IngestAsync(Experience(text, [text, "second " + text], experience: text, suggestions: text));
        using var get = await server.Client.GetAsync($"/experiences/{ids[0]}");
        using var search = await server.PostAsync("/search/hybrid", JsonSerializer.Serialize(new { query = text, k = 5 }));
        using var health = await server.Client.GetAsync("/health");

        var stored = server.KnowledgeBase.Get(ids[0])!;
        Assert.Equal((text, text, text), (stored.Task, stored.ExperienceText, stored.Suggestions));
        Assert.Equal([text, "second " + text], stored.Plan);
        var returned = await ReadJsonAsync(get);
        Assert.Equal(text, returned.GetProperty("task").GetString());
        Assert.Equal(text, returned.GetProperty("experience").GetString());
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var hit = Assert.Single((await ReadJsonAsync(search)).GetProperty("results").EnumerateArray());
        Assert.Equal(text, hit.GetProperty("task").GetString());
        Assert.Equal(text, hit.GetProperty("experience").GetProperty("plan")[0].GetString());
        Assert.Equal(1, (await ReadJsonAsync(health)).GetProperty("experiences").GetInt64());
    }

    [Theory]
    [InlineData("\u0001 start of heading", "task")]
    [InlineData("bell \u0007", "experience")]
    public async Task PostExperiences_ControlCharacter_400NamingTheExperienceAndField(string text, string field)
    {
        await using var server = await StartAsync();
        var experience = field == "task" ? Experience(text, ["a step"]) : Experience("a task", ["a step"], experience: text);

        using var response = await server.PostAsync("/experiences", "[" + Experience("fine", ["a step"]) + "," + experience + "]");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var named = (await ReadJsonAsync(response)).GetProperty("field").GetString()!;
        Assert.StartsWith("[1]", named, StringComparison.Ordinal);
        Assert.EndsWith(field, named, StringComparison.Ordinal);
        Assert.Equal(0, server.KnowledgeBase.Count);
    }

    [Fact]
    public async Task Get_ScriptInStoredText_EscapedInTheRawResponse()
    {
        await using var server = await StartAsync();
        var ids = await server.IngestAsync(Experience("<script>alert(1)</script>", ["a step"]));

        using var response = await server.Client.GetAsync($"/experiences/{ids[0]}");

        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", raw, StringComparison.Ordinal);
        Assert.Contains("\\u003Cscript\\u003E", raw, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("GET", "/search/plan", HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/health", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/nowhere", HttpStatusCode.NotFound)]
    [InlineData("GET", "/../kb.db", HttpStatusCode.NotFound)]
    [InlineData("GET", "/kb.db", HttpStatusCode.NotFound)]
    public async Task Request_UnknownRouteOrMethod_404Or405(string method, string path, HttpStatusCode expected)
    {
        await using var server = await StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Server_ConcurrentSearchesAndIngests_NoErrorAndEveryIdRetrievable()
    {
        const int clients = 16;
        const int rounds = 6;
        await using var server = await StartAsync();
        await server.IngestAsync(Experience("seed experience about caching", ["add a cache", "measure"]));
        var acknowledged = new ConcurrentDictionary<long, string>();
        var failures = new ConcurrentQueue<string>();

        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var tasks = new[] { $"client {client} round {round} first", $"client {client} round {round} second" };
                using var ingest = await server.PostAsync("/experiences", "[" + string.Join(",", tasks.Select(task => Experience(task, ["step " + task]))) + "]");
                if (ingest.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"ingest {(int)ingest.StatusCode}: {await ingest.Content.ReadAsStringAsync()}");
                    continue;
                }

                var ids = (await ReadJsonAsync(ingest)).GetProperty("ids").EnumerateArray().Select(id => id.GetInt64()).ToArray();
                for (var i = 0; i < ids.Length; i++)
                {
                    if (!acknowledged.TryAdd(ids[i], tasks[i]))
                    {
                        failures.Enqueue($"id {ids[i]} acknowledged twice");
                    }
                }

                foreach (var (path, body) in new[]
                {
                    ("/search/plan", $$"""{ "task": "client {{client}} caching", "k": 10 }"""),
                    ("/search/feedback", """{ "task": "caching", "plan": ["add a cache"], "summary": "slow", "k": 3 }"""),
                    ("/search/hybrid", $$"""{ "query": "round {{round}}", "k": 7, "mode": "bm25" }"""),
                })
                {
                    using var search = await server.PostAsync(path, body);
                    if (search.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{path} {(int)search.StatusCode}: {await search.Content.ReadAsStringAsync()}");
                    }
                }
            }
        })));

        Assert.Empty(failures);
        Assert.Equal(clients * rounds * 2, acknowledged.Count);
        Assert.Equal(1 + (clients * rounds * 2), server.KnowledgeBase.Count);
        foreach (var (id, task) in acknowledged)
        {
            using var get = await server.Client.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/experiences/{id}"));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(task, (await ReadJsonAsync(get)).GetProperty("task").GetString());
        }

        using var found = await server.PostAsync("/search/hybrid", """{ "query": "client 15 round 5 second", "k": 1, "mode": "bm25" }""");
        Assert.Equal("client 15 round 5 second", (await ReadJsonAsync(found)).GetProperty("results")[0].GetProperty("task").GetString());
    }

    [Fact]
    public async Task Build_RealKestrelOnAnyFreePort_ListensOnLoopbackAndServes()
    {
        var directory = Directory.CreateTempSubdirectory("kb-server-tests-");
        try
        {
            using var knowledgeBase = KnowledgeBase.Open(Path.Combine(directory.FullName, "kb.db"), new HashingEmbedder());
            await using var app = KnowledgeServer.Build(KnowledgeServerOptions.Default with { Port = 0, MaxRequestBodyBytes = 4096 }, knowledgeBase);
            await app.StartAsync();
            var address = KnowledgeServer.Address(app);
            using var client = new HttpClient { BaseAddress = address };

            using var health = await client.GetAsync("/health");
            using var tooLarge = await client.PostAsync("/search/plan", new ChunkedContent(new byte[10_000]));

            Assert.Equal("127.0.0.1", address.Host);
            Assert.NotEqual(0, address.Port);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            await app.StopAsync();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Post_ManyMutatedBodies_Answers200Or400AndNever500()
    {
        const int bodies = 600;
        await using var server = await StartAsync();
        await server.IngestAsync(Experience("seed task", ["seed step"]));
        var random = new Random(19);
        (string Path, string Body)[] valid =
        [
            ("/experiences", "[" + Experience("mutated ingest", ["step one", "step two"], suggestions: "s") + "]"),
            ("/search/plan", """{ "task": "seed task", "k": 3 }"""),
            ("/search/feedback", """{ "task": "seed task", "plan": ["seed step", "other"], "summary": "it failed", "k": 2 }"""),
            ("/search/hybrid", """{ "query": "seed", "k": 4, "mode": "dense" }"""),
        ];
        var ingested = 1L;
        var statuses = new Dictionary<HttpStatusCode, int>();

        for (var i = 0; i < bodies; i++)
        {
            var (path, template) = valid[random.Next(valid.Length)];
            var body = Mutate(Encoding.UTF8.GetBytes(template), random);

            using var response = await server.PostBytesAsync(path, body, chunked: random.Next(2) == 0);

            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            var answer = await ReadJsonAsync(response);
            var shown = Encoding.UTF8.GetString(body);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{path} {shown} -> {(int)response.StatusCode} {answer}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.False(string.IsNullOrEmpty(answer.GetProperty("error").GetString()), shown);
                Assert.Equal(JsonValueKind.String, answer.GetProperty("field").ValueKind);
            }
            else if (path == "/experiences")
            {
                ingested += answer.GetProperty("ingested").GetInt64();
            }
        }

        // Both answers occur (the mutations are neither all harmless nor all fatal), and every 200 ingest was stored.
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > 20 && statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 100, string.Join(", ", statuses));
        Assert.Equal(ingested, server.KnowledgeBase.Count);
    }

    /// <summary>One to three random edits of a valid body: cut it short, drop, insert or replace bytes, or swap a value for another JSON value.</summary>
    private static byte[] Mutate(byte[] body, Random random)
    {
        string[] values = ["null", "true", "0", "-1", "1.5", "1e999", "\"\"", "\" \"", "[]", "{}", "[1,2]", "{\"a\":1}", "\"\\ud800\"", "\"x\"", "101", "99999999999999999999"];
        byte[] noise = [.. "{}[]\",:\\ 0aZ-+.eE\n\t"u8, 0x00, 0x7F, 0xC3, 0xFF, 0xE2, 0x82];
        var bytes = body.ToList();
        for (var edit = random.Next(1, 4); edit > 0; edit--)
        {
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    var cut = random.Next(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveAt(random.Next(bytes.Count));
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), noise[random.Next(noise.Length)]);
                    break;
                case 3 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = noise[random.Next(noise.Length)];
                    break;
                default:
                    var text = Encoding.UTF8.GetString([.. bytes]);
                    var colons = Enumerable.Range(0, text.Length).Where(i => text[i] == ':').ToArray();
                    if (colons.Length > 0)
                    {
                        var at = colons[random.Next(colons.Length)] + 1;
                        var end = text.IndexOfAny([',', '}'], at);
                        var next = text.IndexOf('[', at) is var open && open >= 0 && open < (end < 0 ? int.MaxValue : end) ? text.IndexOf(']', open) + 1 : end;
                        text = text[..at] + " " + values[random.Next(values.Length)] + (next < 0 ? string.Empty : text[next..]);
                        bytes = [.. Encoding.UTF8.GetBytes(text)];
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static void AssertResult(SearchResult expected, JsonElement actual)
    {
        Assert.Equal(ResultFields, actual.EnumerateObject().Select(property => property.Name).Where(ResultFields.Contains));
        Assert.Equal(expected.Id, actual.GetProperty("id").GetInt64());
        Assert.Equal(expected.Task, actual.GetProperty("task").GetString());
        Assert.Equal(expected.Score, actual.GetProperty("score").GetDouble());
        Assert.Equal(expected.Withheld, actual.GetProperty("withheld").GetBoolean());
        Assert.Equal(expected.Reason, actual.GetProperty("reason").GetString());
        string[] foundBy = [.. new[] { (Retrievers.Bm25, "bm25"), (Retrievers.Dense, "dense") }.Where(r => expected.FoundBy.HasFlag(r.Item1)).Select(r => r.Item2)];
        Assert.Equal(foundBy, actual.GetProperty("foundBy").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(expected.Bm25Rank, actual.GetProperty("bm25Rank").ValueKind == JsonValueKind.Null ? null : actual.GetProperty("bm25Rank").GetInt32());
        Assert.Equal(expected.DenseRank, actual.GetProperty("denseRank").ValueKind == JsonValueKind.Null ? null : actual.GetProperty("denseRank").GetInt32());
        var experience = actual.GetProperty("experience");
        Assert.Equal(expected.Id, experience.GetProperty("id").GetInt64());
        Assert.Equal(expected.Experience.Plan, experience.GetProperty("plan").EnumerateArray().Select(step => step.GetString()));
        Assert.Equal(expected.Experience.ExperienceText, experience.GetProperty("experience").GetString());
        Assert.Equal(expected.Experience.Suggestions, experience.GetProperty("suggestions").GetString());
        Assert.Equal(expected.Experience.Outcome == ExperienceOutcome.Success ? "success" : "failure", experience.GetProperty("outcome").GetString());
    }

    /// <summary>Content sent chunked: no length is declared, so only the bytes read can reveal the size.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
