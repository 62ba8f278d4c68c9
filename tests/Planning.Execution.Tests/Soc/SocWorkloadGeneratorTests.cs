using Planning.Execution.Soc;
using Planning.Rollout;

namespace Planning.Execution.Tests.Soc;

public sealed class SocWorkloadGeneratorTests
{
    // Two small traces whose lengths do not overlap, so each request shows which trace it drew from.
    private static readonly AzureTraceBuilder Conversation = AzureTraceBuilder.Read(new StringReader("""
        TIMESTAMP,ContextTokens,GeneratedTokens
        t,100,10
        t,200,20
        t,300,30
        """), "conv.csv");

    private static readonly AzureTraceBuilder Code = AzureTraceBuilder.Read(new StringReader("""
        TIMESTAMP,ContextTokens,GeneratedTokens
        t,1000,1
        t,2000,2
        """), "code.csv");

    [Fact]
    public void Generate_LengthsFromTheirOwnTrace()
    {
        var requests = SocWorkloadGenerator.Generate(new SocWorkloadOptions { ReactivePerMinute = 5, ProactivePerMinute = 6, DurationMinutes = 30, Seed = 4 }, Conversation, Code);

        Assert.All(requests.Where(r => r.Kind == SocRequestKind.Reactive), r =>
        {
            Assert.Contains(r.PromptTokens, new[] { 100, 200, 300 });
            Assert.Contains(r.OutputTokens, new[] { 10, 20, 30 });
            Assert.StartsWith("r", r.Id, StringComparison.Ordinal);
        });
        Assert.All(requests.Where(r => r.Kind == SocRequestKind.Proactive), r =>
        {
            Assert.Contains(r.PromptTokens, new[] { 1000, 2000 });
            Assert.Contains(r.OutputTokens, new[] { 1, 2 });
            Assert.StartsWith("p", r.Id, StringComparison.Ordinal);
        });

        // Every measured length is drawn (a uniform row draw, not one value).
        Assert.Equal(3, requests.Where(r => r.Kind == SocRequestKind.Reactive).Select(r => r.PromptTokens).Distinct().Count());
    }

    [Fact]
    public void Generate_SortedByArrivalWithinTheDuration_UniqueIds()
    {
        var requests = SocWorkloadGenerator.Generate(new SocWorkloadOptions { ReactivePerMinute = 30, ProactivePerMinute = 30, DurationMinutes = 10, Seed = 2 }, Conversation, Code);

        Assert.Equal(requests.OrderBy(r => r.ArrivalMs).Select(r => r.ArrivalMs), requests.Select(r => r.ArrivalMs));
        Assert.All(requests, r => Assert.InRange(r.ArrivalMs, 0, 600_000));
        Assert.Equal(requests.Length, requests.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void Generate_LongRun_PoissonCountsNearTheRates()
    {
        // 600 minutes at 5 and 12 a minute: 3,000 and 7,200 expected; a Poisson count's standard deviation is its
        // square root (55 and 85), so five of them is a bound a correct generator fails with negligible probability.
        var requests = SocWorkloadGenerator.Generate(new SocWorkloadOptions { ReactivePerMinute = 5, ProactivePerMinute = 12, DurationMinutes = 600, Seed = 9 }, Conversation, Code);

        Assert.InRange(requests.Count(r => r.Kind == SocRequestKind.Reactive), 3000 - 275, 3000 + 275);
        Assert.InRange(requests.Count(r => r.Kind == SocRequestKind.Proactive), 7200 - 425, 7200 + 425);
    }

    [Fact]
    public void Generate_SameSeed_SameWorkload_OtherSeed_Different()
    {
        var options = new SocWorkloadOptions { Seed = 11 };

        var first = SocWorkloadJson.Serialize(SocWorkloadGenerator.Generate(options, Conversation, Code));

        Assert.Equal(first, SocWorkloadJson.Serialize(SocWorkloadGenerator.Generate(options, Conversation, Code)));
        Assert.NotEqual(first, SocWorkloadJson.Serialize(SocWorkloadGenerator.Generate(options with { Seed = 12 }, Conversation, Code)));
    }

    [Fact]
    public void Generate_MoreReactive_SameProactive()
    {
        var few = SocWorkloadGenerator.Generate(new SocWorkloadOptions { ReactivePerMinute = 1, Seed = 5 }, Conversation, Code);
        var many = SocWorkloadGenerator.Generate(new SocWorkloadOptions { ReactivePerMinute = 5, Seed = 5 }, Conversation, Code);

        Assert.Equal(few.Where(r => r.Kind == SocRequestKind.Proactive), many.Where(r => r.Kind == SocRequestKind.Proactive));
    }

    [Theory]
    [InlineData(0.5, 6, 10, "reactivePerMinute")]
    [InlineData(31, 6, 10, "reactivePerMinute")]
    [InlineData(3, double.NaN, 10, "proactivePerMinute")]
    [InlineData(0, 0, 10, "reactivePerMinute")]
    [InlineData(3, 6, 0, "durationMinutes")]
    [InlineData(3, 6, 2000, "durationMinutes")]
    public void Validate_OutOfRange_NamesField(double reactive, double proactive, double minutes, string field)
    {
        var options = new SocWorkloadOptions { ReactivePerMinute = reactive, ProactivePerMinute = proactive, DurationMinutes = minutes };

        Assert.Equal(field, Assert.Throws<PlanningInputException>(() => SocWorkloadGenerator.Generate(options, Conversation, Code)).Field);
    }

    [Fact]
    public void Generate_OnlyProactive_NoReactive()
    {
        var requests = SocWorkloadGenerator.Generate(new SocWorkloadOptions { ReactivePerMinute = 0, ProactivePerMinute = 6 }, Conversation, Code);

        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal(SocRequestKind.Proactive, r.Kind));
    }
}
