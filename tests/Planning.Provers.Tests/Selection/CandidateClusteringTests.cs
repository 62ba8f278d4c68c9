using System.Collections.Concurrent;

using Planning.Provers.Formal;
using Planning.Provers.Selection;

namespace Planning.Provers.Tests.Selection;

public sealed class CandidateClusteringTests
{
    private static int[][] Partition(ClusteringOutcome outcome)
    {
        return [.. outcome.Sets.Sets().Select(static set => set.ToArray())];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Cluster_KnownClasses_ComponentsWhateverTheWorkers(int workers)
    {
        int[] labels = [0, 1, 0, 1, 2, 0, 0];
        ConcurrentBag<(int, int)> calls = [];
        ClusteringOutcome outcome = CandidateClustering.Cluster(
            SelectionSamples.Statements(labels.Length), () => new LabelProver(labels, calls, TimeSpan.FromMilliseconds(2)), workers, CancellationToken.None);

        Assert.Equal([[0, 2, 5, 6], [1, 3], [4]], Partition(outcome));
        Assert.Equal(21, outcome.Checks + outcome.Skipped);
        Assert.Equal(calls.Count, outcome.Checks);
    }

    [Fact]
    public void Cluster_OneWorkerOneClass_ChecksOnlyTheFirstRow()
    {
        int[] labels = [0, 0, 0, 0, 0, 0];
        ConcurrentBag<(int, int)> calls = [];
        ClusteringOutcome outcome = CandidateClustering.Cluster(
            SelectionSamples.Statements(labels.Length), () => new LabelProver(labels, calls, TimeSpan.Zero), 1, CancellationToken.None);

        Assert.Equal([[0, 1, 2, 3, 4, 5]], Partition(outcome));
        Assert.Equal(5, outcome.Checks);
        Assert.Equal(10, outcome.Skipped);
        Assert.All(calls, call => Assert.Equal(0, call.Item1));
    }

    [Fact]
    public void Cluster_TwoWorkersOneClass_SkipsPairsAlreadyJoined()
    {
        int[] labels = [0, 0, 0, 0, 0, 0, 0, 0];
        ConcurrentBag<(int, int)> calls = [];
        ClusteringOutcome outcome = CandidateClustering.Cluster(
            SelectionSamples.Statements(labels.Length), () => new LabelProver(labels, calls, TimeSpan.FromMilliseconds(1)), 2, CancellationToken.None);

        Assert.Single(Partition(outcome));
        Assert.True(outcome.Checks < 28, $"{outcome.Checks} checks for 28 pairs");
        Assert.True(outcome.Skipped > 0);
    }

    [Fact]
    public void Cluster_NoEquivalences_ChecksEveryPair()
    {
        int[] labels = [0, 1, 2, 3];
        ConcurrentBag<(int, int)> calls = [];
        ClusteringOutcome outcome = CandidateClustering.Cluster(
            SelectionSamples.Statements(labels.Length), () => new LabelProver(labels, calls, TimeSpan.Zero), 2, CancellationToken.None);

        Assert.Equal([[0], [1], [2], [3]], Partition(outcome));
        Assert.Equal(6, outcome.Checks);
        Assert.Equal(0, outcome.Skipped);
        Assert.Equal(6, calls.Distinct().Count());
    }

    [Fact]
    public void Cluster_UnparsedCandidates_StaySingletonsAndAreNeverChecked()
    {
        int[] labels = [0, 0, 0, 0];
        FormalStatement?[] statements = SelectionSamples.Statements(4);
        statements[1] = null;
        ConcurrentBag<(int, int)> calls = [];
        ClusteringOutcome outcome = CandidateClustering.Cluster(statements, () => new LabelProver(labels, calls, TimeSpan.Zero), 1, CancellationToken.None);

        Assert.Equal([[0, 2, 3], [1]], Partition(outcome));
        Assert.DoesNotContain(calls, call => call.Item1 == 1 || call.Item2 == 1);
    }

    [Fact]
    public void Cluster_IdenticalStatementsUpToName_JoinedWithoutTheProver()
    {
        FormalStatement?[] statements =
        [
            LeanStatementParser.Parse("theorem c0 (x : ℝ) (h : x + 1 = 3) : x = 2 := by"),
            LeanStatementParser.Parse("theorem c1 (x : ℝ) (h : x + 1 = 3) : x = 2 := by"),
        ];
        ConcurrentBag<(int, int)> calls = [];
        ClusteringOutcome outcome = CandidateClustering.Cluster(statements, () => new LabelProver([0, 1], calls, TimeSpan.Zero), 1, CancellationToken.None);

        Assert.Equal([[0, 1]], Partition(outcome));
        Assert.Equal(0, outcome.Checks);
        Assert.Equal(1, outcome.Identical);
        Assert.Empty(calls);
    }

    [Fact]
    public void Cluster_Provers_CreatedLazilyOnePerWorkerAndDisposed()
    {
        int[] labels = [0, 1, 2, 3, 4];
        ConcurrentBag<LabelProver> provers = [];
        ConcurrentBag<(int, int)> calls = [];
        CandidateClustering.Cluster(
            SelectionSamples.Statements(labels.Length),
            () =>
            {
                LabelProver prover = new(labels, calls, TimeSpan.FromMilliseconds(1));
                provers.Add(prover);
                return prover;
            },
            3,
            CancellationToken.None);

        Assert.InRange(provers.Count, 1, 3);
        Assert.All(provers, static prover => Assert.True(prover.Disposed));

        provers.Clear();
        CandidateClustering.Cluster([SelectionSamples.Statements(1)[0]], () => throw new InvalidOperationException("unused"), 4, CancellationToken.None);
    }

    [Fact]
    public void Cluster_ProverThrows_ExceptionPropagates()
    {
        InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(() => CandidateClustering.Cluster(
            SelectionSamples.Statements(4), () => throw new InvalidOperationException("no backend"), 2, CancellationToken.None));
        Assert.Equal("no backend", thrown.Message);
    }

    [Fact]
    public void Cluster_Cancelled_Throws()
    {
        using CancellationTokenSource cancellation = new();
        cancellation.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => CandidateClustering.Cluster(
            SelectionSamples.Statements(3), () => new LabelProver([0, 1, 2], [], TimeSpan.Zero), 1, cancellation.Token));
    }
}
