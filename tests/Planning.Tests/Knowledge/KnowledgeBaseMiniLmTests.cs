using Planning.Embeddings;
using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

/// <summary><see cref="KnowledgeBase"/> with the real MiniLM model (loaded once for the class: about 2 s).</summary>
public sealed class KnowledgeBaseMiniLmTests(KnowledgeBaseMiniLmTests.Model model) : IClassFixture<KnowledgeBaseMiniLmTests.Model>
{
    public sealed class Model : IDisposable
    {
        public MiniLmEmbedder Embedder { get; } = new();

        public void Dispose() => Embedder.Dispose();
    }

    private static readonly Experience[] Corpus =
    [
        KnowledgeTestData.Make("Python script fails with ModuleNotFoundError for requests", ["read the traceback", "pip install the missing package", "rerun the script"], domain: "coding"),
        KnowledgeTestData.Make("Find the cheapest flight from Paris to Rome", ["open the airline comparison site", "sort results by price"], domain: "web"),
        KnowledgeTestData.Make("Compute the derivative of x squared times sine x", ["apply the product rule", "simplify"], domain: "math"),
        KnowledgeTestData.Make("Book a table for two at an Italian restaurant", ["search restaurants nearby", "choose a time", "confirm the booking"], domain: "web"),
        KnowledgeTestData.Make("Container exits immediately with exit code 137", ["inspect docker events", "raise the memory limit"], domain: "ops"),
    ];

    /// <summary>
    /// Paraphrased tasks (few or no words shared with their target): MiniLM ranks the target first, and so does the
    /// fusion.
    /// </summary>
    [Theory]
    [InlineData("my program cannot import a library it needs", 1L)]
    [InlineData("reserve dinner seats for tonight", 4L)]
    [InlineData("docker killed because it ran out of RAM", 5L)]
    public void SearchPlan_ParaphrasedTask_DenseFindsTheTarget(string task, long target)
    {
        using TempDirectory directory = KnowledgeTestData.NewDirectory();
        using KnowledgeBase kb = KnowledgeBase.Open(directory.Database, model.Embedder);
        kb.Ingest(Corpus);
        SearchResponse response = kb.SearchPlan(task, 3);
        Assert.Equal(target, response.Results[0].Id);
        Assert.Equal(1, response.Results[0].DenseRank);
        Assert.Equal(target, kb.SearchHybrid(task, 1, RetrievalMode.Dense).Results.Single().Id);
    }
}
