namespace Planning.Execution.Rollout;

/// <summary>
/// SGLang router's <c>cache_aware</c> policy, the router slime starts by default (sgl-project/sglang
/// <c>sgl-router/src/policies/cache_aware.rs</c>; defaults of its Python launcher,
/// <c>sgl-router/py_src/sglang_router/router_args.py</c>). Per worker (instance) it keeps an approximate radix tree of
/// the request texts it sent there. For each request, with every worker's load (its requests in flight):
/// <list type="number">
/// <item>the load is imbalanced when <c>max - min &gt; </c><see cref="BalanceAbsThreshold"/> and
/// <c>max &gt; min × </c><see cref="BalanceRelThreshold"/>: the request goes to the least loaded worker (the first on
/// ties);</item>
/// <item>otherwise the worker whose tree shares the longest prefix with the request is found; when the matched share of
/// the request is above <see cref="CacheThreshold"/> the request goes there, else to the worker with the smallest tree
/// (the most room for new cache);</item>
/// <item>either way the request's text is inserted into the chosen worker's tree.</item>
/// </list>
/// The simulator has tokens, not text: a trajectory's request is its context (prompt, then each turn's output and
/// observation); a request shares with an earlier one of the same trajectory the shorter of the two contexts (the
/// context only grows by appending), with one of a GRPO sibling its prompt, with any other nothing. Tree sizes count
/// tokens instead of characters (the router's eviction, 2^26 characters per worker every 120 s, is not reached by a
/// rollout of the benchmarks' size and is not modelled). Ties between workers of equal match or size go to the lowest
/// index. The tree is the router's guess: an engine may have evicted the cache it points at.
/// </summary>
internal sealed class CacheAwareRouter
{
    /// <summary><c>cache_threshold</c>: the least matched share of a request that routes it by prefix (default 0.3).</summary>
    public const double CacheThreshold = 0.3;

    /// <summary><c>balance_abs_threshold</c>: the load gap (requests) above which balance may take over (default 64).</summary>
    public const int BalanceAbsThreshold = 64;

    /// <summary><c>balance_rel_threshold</c>: the load ratio above which balance may take over (default 1.5).</summary>
    public const double BalanceRelThreshold = 1.5;

    private Dictionary<int, long>[] _trajectoryTokens = [];
    private HashSet<string>[] _groups = [];
    private long[] _treeTokens = [];

    /// <summary>Forgets every tree, for <paramref name="instances"/> workers.</summary>
    public void Reset(int instances)
    {
        _trajectoryTokens = [.. Enumerable.Range(0, instances).Select(_ => new Dictionary<int, long>())];
        _groups = [.. Enumerable.Range(0, instances).Select(_ => new HashSet<string>(StringComparer.Ordinal))];
        _treeTokens = new long[instances];
    }

    /// <summary>Tokens in a worker's tree (the union of the prefixes sent there).</summary>
    public long TreeTokens(int instance) => _treeTokens[instance];

    /// <summary>Chooses the worker for a request and inserts it into that worker's tree.</summary>
    /// <param name="loads">Each worker's requests in flight.</param>
    /// <param name="trajectory">The trajectory's index.</param>
    /// <param name="group">Its GRPO group.</param>
    /// <param name="promptTokens">Its prompt's tokens.</param>
    /// <param name="contextTokens">The request: the trajectory's context now (at least the prompt).</param>
    /// <returns>The worker.</returns>
    public int Route(IReadOnlyList<int> loads, int trajectory, string group, long promptTokens, long contextTokens)
    {
        var n = loads.Count;
        var max = loads.Max();
        var min = loads.Min();
        int chosen;
        if (max - min > BalanceAbsThreshold && max > min * BalanceRelThreshold)
        {
            chosen = 0;
            for (var i = 1; i < n; i++)
            {
                if (loads[i] < loads[chosen])
                {
                    chosen = i;
                }
            }
        }
        else
        {
            var best = 0;
            var bestMatch = -1L;
            for (var i = 0; i < n; i++)
            {
                var match = Match(i, trajectory, group, promptTokens, contextTokens);
                if (match > bestMatch)
                {
                    best = i;
                    bestMatch = match;
                }
            }

            var rate = contextTokens <= 0 ? 0 : bestMatch / (double)contextTokens;
            if (rate > CacheThreshold)
            {
                chosen = best;
            }
            else
            {
                chosen = 0;
                for (var i = 1; i < n; i++)
                {
                    if (_treeTokens[i] < _treeTokens[chosen])
                    {
                        chosen = i;
                    }
                }
            }
        }

        Insert(chosen, trajectory, group, promptTokens, contextTokens);
        return chosen;
    }

    /// <summary>The tokens the worker's tree shares with the request.</summary>
    public long Match(int instance, int trajectory, string group, long promptTokens, long contextTokens)
    {
        if (_trajectoryTokens[instance].TryGetValue(trajectory, out var sent))
        {
            return Math.Min(sent, contextTokens);
        }

        return _groups[instance].Contains(group) ? Math.Min(promptTokens, contextTokens) : 0;
    }

    private void Insert(int instance, int trajectory, string group, long promptTokens, long contextTokens)
    {
        if (_groups[instance].Add(group))
        {
            _treeTokens[instance] += promptTokens;
        }

        _trajectoryTokens[instance].TryGetValue(trajectory, out var sent);
        var beyondPrompt = Math.Max(sent, promptTokens);
        if (contextTokens > beyondPrompt)
        {
            _treeTokens[instance] += contextTokens - beyondPrompt;
        }

        if (contextTokens > sent)
        {
            _trajectoryTokens[instance][trajectory] = contextTokens;
        }
    }
}
