using System.Text;
using Planning.Knowledge;
using Planning.Knowledge.Evaluation;

namespace Planning.Tests.Knowledge.Evaluation;

public sealed class SyntheticExperienceSetTests
{
    [Fact]
    public void Generate_SameSeed_IsTheSameByteForByte()
    {
        Assert.Equal(Files(SyntheticExperienceSet.Generate(5, 40, 60)), Files(SyntheticExperienceSet.Generate(5, 40, 60)));
        Assert.NotEqual(Files(SyntheticExperienceSet.Generate(5, 40, 60)), Files(SyntheticExperienceSet.Generate(6, 40, 60)));
    }

    [Fact]
    public void Generate_Counts_OneQueryPerTargetAndOneOrTwoExperiencesEach()
    {
        var set = SyntheticExperienceSet.Generate(3, 90, 110);

        Assert.Equal(90, set.Queries.Count);
        int targets = set.Queries.Sum(q => q.Relevant.Count);
        Assert.Equal(110 + targets, set.Experiences.Count);
        Assert.All(set.Queries, q => Assert.InRange(q.Relevant.Count, 1, 2));
        Assert.Contains(set.Queries, q => q.Relevant.Count == 2);
        // Every experience is relevant to at most one query, and every id names an experience of the set.
        long[] all = [.. set.Queries.SelectMany(q => q.Relevant)];
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.All(all, id => Assert.InRange(id, 1, set.Experiences.Count));
        Assert.Equal(90, set.Queries.Select(q => q.Id).Distinct().Count());
    }

    [Fact]
    public void Generate_Labels_RelevantExperiencesShareTheTaskAndNoDistractorRepeatsIt()
    {
        var set = SyntheticExperienceSet.Generate(11, 120, 400);
        var relevantIds = set.Queries.SelectMany(q => q.Relevant).ToHashSet();

        foreach (LabelledQuery query in set.Queries)
        {
            Experience[] relevant = [.. query.Relevant.Select(id => set.Experiences[(int)id - 1])];
            // Two attempts at one task: same domain, and the query is not a copy of either task's words.
            Assert.Single(relevant.Select(e => e.Domain).Distinct());
            Assert.All(relevant, e => Assert.NotEqual(e.Task, query.Query, StringComparer.OrdinalIgnoreCase));
            Assert.NotEmpty(query.Variations);
            Assert.All(query.Variations, v => Assert.Contains(v, SyntheticExperienceSet.VariationNames));
            Assert.NotEmpty(query.Plan);
            Assert.NotEmpty(query.Summary);
        }

        var targetTasks = relevantIds.Select(id => set.Experiences[(int)id - 1].Task).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < set.Experiences.Count; i++)
        {
            if (!relevantIds.Contains(i + 1))
            {
                Assert.DoesNotContain(set.Experiences[i].Task, targetTasks);
            }
        }
    }

    [Fact]
    public void Generate_Experiences_AreValidAndHaveFourToSevenSteps()
    {
        var set = SyntheticExperienceSet.Generate(2, 60, 300);
        var text = new StringBuilder();
        using (var writer = new StringWriter(text))
        {
            EvaluationSetFiles.WriteExperiences(writer, set.Experiences);
        }

        // The store's own validation reads every line back.
        Experience[] read = [.. ExperienceJson.ReadJsonl(new StringReader(text.ToString()), "generated.jsonl")];
        Assert.Equal(set.Experiences.Count, read.Length);
        Assert.All(read, e => Assert.InRange(e.Plan.Count, 4, 7));
        Assert.All(read, e => Assert.Equal(SyntheticExperienceSet.SourceFramework, e.SourceFramework));
        Assert.Equal(6, read.Select(e => e.Domain).Distinct().Count());
        Assert.Contains(read, e => e.Outcome == ExperienceOutcome.Failure);
        Assert.All(read.Where(e => e.Outcome == ExperienceOutcome.Failure), e => Assert.NotNull(e.OutcomeReason));
    }

    [Fact]
    public void Corpus_Total_StartsWithTheSetThenAddsDistractorsOnly()
    {
        var set = SyntheticExperienceSet.Generate(8, 30, 20);

        Experience[] corpus = [.. SyntheticExperienceSet.Corpus(8, 30, 20, 500)];

        Assert.Equal(500, corpus.Length);
        Assert.Equal(Files(set).Experiences, Lines(corpus.Take(set.Experiences.Count)));
        var targetTasks = set.Queries.SelectMany(q => q.Relevant).Select(id => set.Experiences[(int)id - 1].Task).ToHashSet(StringComparer.Ordinal);
        Assert.All(corpus.Skip(set.Experiences.Count), e => Assert.DoesNotContain(e.Task, targetTasks));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticExperienceSet.Corpus(8, 30, 20, set.Experiences.Count - 1));
    }

    [Fact]
    public void Generate_RepositorySet_IsWhatTheGeneratorWritesForSeed19()
    {
        // data/kb-eval is this generator's output (plan kb generate --out data/kb-eval --seed 19 --queries 600 --distractors 1400).
        var (experiences, queries) = Files(SyntheticExperienceSet.Generate(19, 600, 1400));

        Assert.Equal(File.ReadAllText(RepositoryData.File("kb-eval", EvaluationSetFiles.ExperiencesFileName)), experiences);
        Assert.Equal(File.ReadAllText(RepositoryData.File("kb-eval", EvaluationSetFiles.QueriesFileName)), queries);
    }

    [Fact]
    public void Generate_BadCounts_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticExperienceSet.Generate(1, 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticExperienceSet.Generate(1, 10, -1));
    }

    private static string Lines(IEnumerable<Experience> experiences)
    {
        using var writer = new StringWriter();
        EvaluationSetFiles.WriteExperiences(writer, experiences);
        return writer.ToString();
    }

    private static (string Experiences, string Queries) Files(EvaluationSet set)
    {
        using var experiences = new StringWriter();
        using var queries = new StringWriter();
        EvaluationSetFiles.WriteExperiences(experiences, set.Experiences);
        LabelledQueryJson.Write(queries, set.Queries);
        return (experiences.ToString(), queries.ToString());
    }
}
