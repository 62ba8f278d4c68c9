using FsCheck.Xunit;

using Planning.Provers.Benchmarks;
using Planning.Provers.Equivalence;
using Planning.Provers.Evaluation;
using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Tests.Benchmarks;

namespace Planning.Provers.Tests.Equivalence;

/// <summary>
/// Soundness of the equivalence checker against an oracle independent of Z3: whenever it answers
/// <see cref="EquivalenceVerdict.Equivalent"/> on a random pair (a rewrite, a mutation or an unrelated statement), the two
/// statements agree at many random points evaluated exactly by <see cref="LeanEvaluator"/>.
/// </summary>
public sealed class EquivalenceSoundnessTests : IDisposable
{
    private const int Points = 60;

    private readonly Z3InProcessBackend _backend = new();

    public void Dispose()
    {
        _backend.Dispose();
    }

    [Property(MaxTest = 60)]
    public void Equivalent_ImpliesAgreementAtRandomPoints(int seed)
    {
        CheckPair(seed);
    }

    [Fact]
    public void Pairs_IncludeEquivalentAndNonEquivalentVerdicts()
    {
        // The property above is only as strong as the number of Equivalent verdicts it sees.
        EquivalenceVerdict[] verdicts = [.. Enumerable.Range(1000, 40).Select(CheckPair)];
        Assert.InRange(verdicts.Count(static verdict => verdict == EquivalenceVerdict.Equivalent), 8, 40);
        Assert.Contains(EquivalenceVerdict.NotEquivalent, verdicts);
    }

    private EquivalenceVerdict CheckPair(int seed)
    {
        Random random = new(seed);
        FormalStatement first = RandomStatements.Statement(random);
        FormalStatement second = Partner(first, random, seed);
        StatementEquivalence checker = new(_backend, new EquivalenceOptions { CheckLimit = TimeSpan.FromMilliseconds(300) });
        EquivalenceResult result = checker.Check(first, second);
        if (result.Verdict != EquivalenceVerdict.Equivalent)
        {
            return result.Verdict;
        }

        FormalVariable[] variables = [.. first.Variables.Concat(second.Variables).DistinctBy(static variable => variable.Name)];
        int decided = 0;
        for (int i = 0; i < Points; i++)
        {
            Dictionary<string, Rational> assignment = RandomStatements.Assignment(random, variables);
            decided += RandomStatements.AgreeAt(first, second, assignment, out string? disagreement) ? 1 : 0;
            Assert.True(disagreement is null, $"equivalent but {disagreement}\n{first}\n{second}");
        }

        Assert.Equal(Points, decided);
        Assert.Null(WitnessSearch.Find(first, second, new WitnessSearchOptions { MaxAssignments = 200, Seed = seed }));
        return result.Verdict;
    }

    /// <summary>A rewrite, a mutation, or an unrelated statement over the same variables, each a third of the time.</summary>
    private static FormalStatement Partner(FormalStatement statement, Random random, int seed)
    {
        switch (random.Next(3))
        {
            case 0:
                {
                    IReadOnlyList<StatementRewrite> rewrites = StatementRewrites.Generate(statement, seed);
                    return rewrites.Count == 0 ? statement : rewrites[random.Next(rewrites.Count)].Statement;
                }

            case 1:
                {
                    IReadOnlyList<StatementMutation> mutations = [.. StatementMutations.Generate(statement, seed).Where(static mutation => mutation.Kind != MutationKind.NatForReal)];
                    return mutations.Count == 0 ? statement : mutations[random.Next(mutations.Count)].Statement;
                }

            default:
                return statement with
                {
                    Hypotheses = [.. statement.Hypotheses.Select(hypothesis => random.Next(2) == 0 ? hypothesis : hypothesis with { Proposition = RandomStatements.Relation(random, statement.Variables) })],
                    Conclusion = random.Next(2) == 0 ? statement.Conclusion : RandomStatements.Relation(random, statement.Variables),
                };
        }
    }
}
