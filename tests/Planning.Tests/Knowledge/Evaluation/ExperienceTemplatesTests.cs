using Planning.Knowledge.Evaluation;

namespace Planning.Tests.Knowledge.Evaluation;

public sealed class ExperienceTemplatesTests
{
    private const string Library = """
        entity city: New York City, NYC | Paris
        synonym cheapest = lowest-priced

        domain web
        task: [find|look up] the cheapest (direct) flight to {city} ; from {city#2}
        step: open a site
        step?: filter to {city}
        """;

    [Fact]
    public void Parse_SmallLibrary_ReadsEntitiesSynonymsAndTemplates()
    {
        var templates = ExperienceTemplates.Parse(Library);

        Assert.Equal(["New York City", "NYC"], templates.Entities["city"][0].Forms);
        Assert.Equal(["lowest-priced"], templates.Synonyms["cheapest"]);
        TaskTemplate task = Assert.Single(templates.Tasks);
        Assert.Equal("web", task.Domain);
        Assert.Equal(2, task.Clauses.Count);
        Assert.Equal([new SlotKey("city", 1), new SlotKey("city", 2)], task.TaskSlots);
        Assert.Equal([false, true], task.Steps.Select(s => s.Optional));
    }

    [Fact]
    public void RenderVaried_EachVariation_ChangesOnlyWhatItNames()
    {
        var templates = ExperienceTemplates.Parse(Library);
        TaskTemplate task = templates.Tasks[0];
        var bindings = new Dictionary<SlotKey, TemplateEntity>
        {
            [new SlotKey("city", 1)] = templates.Entities["city"][0],
            [new SlotKey("city", 2)] = templates.Entities["city"][1],
        };
        IReadOnlyList<TemplateSegment> clause = task.Clauses[0];
        int[] chose = [0];

        Assert.Equal("find the cheapest direct flight to New York City", TemplateRenderer.RenderVaried(clause, bindings, new Random(1), templates, new RenderVariation(chose, false, false, false)));
        Assert.Equal("find cheapest flight to New York City", TemplateRenderer.RenderVaried(clause, bindings, new Random(1), templates, new RenderVariation(chose, false, true, false)));
        Assert.Equal("find the cheapest direct flight to NYC", TemplateRenderer.RenderVaried(clause, bindings, new Random(1), templates, new RenderVariation(chose, false, false, true)));
        // Synonyms: the group's other member always; each listed word with probability 1/2 (some seed replaces it).
        string[] varied = [.. Enumerable.Range(0, 20).Select(seed => TemplateRenderer.RenderVaried(clause, bindings, new Random(seed), templates, new RenderVariation(chose, true, false, false)))];
        Assert.All(varied, v => Assert.StartsWith("look up the ", v, StringComparison.Ordinal));
        Assert.Contains("look up the lowest-priced direct flight to New York City", varied);
        Assert.Contains("look up the cheapest direct flight to New York City", varied);
    }

    [Theory]
    [InlineData("task: [a|b] x\n", "line 1: a task before any domain")]
    [InlineData("domain d\nstep: x\n", "line 2: a step outside a task")]
    [InlineData("domain d\ntask: find {city\n", "line 2: unclosed '{'")]
    [InlineData("domain d\ntask: find (the {city})\n", "line 2: an optional phrase holds a slot")]
    [InlineData("domain d\ntask: find {town}\n", "task template 0: unknown entity slot 'town'")]
    [InlineData("domain d\nbogus line\n", "line 2: unrecognised line 'bogus line'")]
    public void Parse_BadText_ThrowsNamingTheLine(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ExperienceTemplates.Parse(text));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Default_EmbeddedLibrary_HasSixDomainsAndEveryTemplateFourToSevenSteps()
    {
        var templates = ExperienceTemplates.Default;

        Assert.Equal(["web-navigation", "software-engineering", "data-analysis", "math", "operations", "research"], templates.Tasks.Select(t => t.Domain).Distinct());
        Assert.All(templates.Tasks, t => Assert.InRange(t.Steps.Count(s => !s.Optional), 4, 7));
        Assert.All(templates.Tasks, t => Assert.InRange(t.Steps.Count, 4, 8));
    }
}
