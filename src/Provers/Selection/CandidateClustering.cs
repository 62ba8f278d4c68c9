using System.Runtime.ExceptionServices;

using Planning.Provers.Formal;

namespace Planning.Provers.Selection;

/// <summary>The partition found by <see cref="CandidateClustering.Cluster"/> and what it cost.</summary>
/// <param name="Sets">The union-find over all candidate indices after every pair was checked or skipped.</param>
/// <param name="Checks">Pairs sent to a prover.</param>
/// <param name="Skipped">Pairs skipped because their candidates were already in one set.</param>
/// <param name="Identical">Pairs joined without a prover because the statements are identical up to the theorem name.</param>
internal sealed record ClusteringOutcome(DisjointSets Sets, int Checks, int Skipped, int Identical);

/// <summary>
/// Clusters statements by proven equivalence: a union-find over the candidates, the pairs (i, j), i &lt; j, of
/// statements taken in lexicographic order from one shared queue by the workers, each with its own prover.
/// </summary>
/// <remarks>
/// <para>
/// Before a pair is checked the worker looks it up (under the union-find's lock): when the two are already in one set
/// the pair is skipped, since no verdict could change the partition: only a proven equivalence joins, and joining two
/// members of one set is a no-op. Otherwise the pair is checked outside the lock and, when proven equivalent, the sets
/// are joined under the lock.
/// </para>
/// <para>
/// The final partition does not depend on the number of workers or on thread timing, as long as each pair's verdict
/// does not: let E be the pairs that would be proven equivalent if checked. Every union comes from a pair in E, so
/// each set lies within a connected component of the graph (candidates, E). Conversely, every pair of E is either
/// checked (and joined) or skipped because its candidates were already joined; so each component lies within one set.
/// The partition is therefore exactly the components of E, whatever was skipped. Only the number of checks (and which
/// pairs were checked) varies with timing; a verdict itself may vary when a check ends near its time limit, which is a
/// property of the prover, not of the skipping. Joining members of a set whose direct check would be unknown or even
/// refuted is sound only if proven equivalence is transitive, which it is for a sound prover.
/// </para>
/// </remarks>
internal static class CandidateClustering
{
    /// <summary>Clusters the non-null statements; null entries (candidates that did not parse) stay singletons.</summary>
    /// <param name="statements">The candidates, null where one did not parse.</param>
    /// <param name="proverFactory">Creates one prover per worker (lazily, at the worker's first check); the worker disposes it.</param>
    /// <param name="workers">The most workers to run at once (at least 1).</param>
    /// <param name="cancellationToken">Stops the workers between checks.</param>
    public static ClusteringOutcome Cluster(
        IReadOnlyList<FormalStatement?> statements, Func<IPairEquivalence> proverFactory, int workers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(proverFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);

        List<(int First, int Second)> pairs = [];
        for (int i = 0; i < statements.Count; i++)
        {
            for (int j = i + 1; j < statements.Count; j++)
            {
                if (statements[i] is not null && statements[j] is not null)
                {
                    pairs.Add((i, j));
                }
            }
        }

        Run run = new(statements, pairs, proverFactory, cancellationToken);
        int threads = Math.Min(workers, pairs.Count);
        if (threads <= 1)
        {
            run.Work();
        }
        else
        {
            Task[] tasks = new Task[threads];
            for (int t = 0; t < threads; t++)
            {
                tasks[t] = Task.Factory.StartNew(run.Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            try
            {
                Task.WaitAll(tasks, CancellationToken.None);
            }
            catch (AggregateException exception)
            {
                ExceptionDispatchInfo.Capture(exception.InnerExceptions[0]).Throw();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new ClusteringOutcome(run.Sets, run.Checks, run.Skipped, run.Identical);
    }

    /// <summary>The state the workers share.</summary>
    private sealed class Run(
        IReadOnlyList<FormalStatement?> statements, List<(int First, int Second)> pairs, Func<IPairEquivalence> proverFactory,
        CancellationToken cancellationToken)
    {
        private readonly Lock _gate = new();
        private int _next = -1;
        private int _checks;
        private int _skipped;
        private int _identical;
        private volatile bool _failed;

        public DisjointSets Sets { get; } = new(statements.Count);

        public int Checks => _checks;

        public int Skipped => _skipped;

        public int Identical => _identical;

        /// <summary>One worker: takes pairs from the queue until it is empty (or another worker failed).</summary>
        public void Work()
        {
            IPairEquivalence? prover = null;
            try
            {
                int index;
                while (!_failed && (index = Interlocked.Increment(ref _next)) < pairs.Count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    (int i, int j) = pairs[index];
                    lock (_gate)
                    {
                        if (Sets.Connected(i, j))
                        {
                            _skipped++;
                            continue;
                        }
                    }

                    FormalStatement first = statements[i]!;
                    FormalStatement second = statements[j]!;
                    bool equivalent;
                    if (first with { Name = second.Name } == second)
                    {
                        Interlocked.Increment(ref _identical);
                        equivalent = true;
                    }
                    else
                    {
                        prover ??= proverFactory();
                        Interlocked.Increment(ref _checks);
                        equivalent = prover.ProvesEquivalent(first, second);
                    }

                    if (equivalent)
                    {
                        lock (_gate)
                        {
                            Sets.Union(i, j);
                        }
                    }
                }
            }
            catch
            {
                _failed = true;
                throw;
            }
            finally
            {
                prover?.Dispose();
            }
        }
    }
}
