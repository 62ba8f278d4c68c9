namespace Planning.Moe;

/// <summary>
/// The reroute table (the rules are <see cref="Rerouter"/>'s) computed into buffers sized once per topology, so that a
/// caller that keeps one (the native library, every microbatch) allocates nothing per layer. <see cref="Rerouter.Route"/>
/// is this table turned into <see cref="TokenRoute"/>s: one implementation, so the native rows equal the CLI's
/// <c>reroutes</c> by construction.
/// </summary>
internal sealed class RerouteTable
{
    private readonly int _ranks;
    private readonly int _experts;
    private readonly int[] _firstOfExpert;
    private readonly int[] _instancesByExpert;
    private readonly long[] _rest;
    private readonly long[] _room;
    private readonly long[] _give;
    private readonly double[] _remainder;
    private readonly bool[] _used;

    /// <summary>Creates buffers for a topology.</summary>
    /// <param name="ranks">Source ranks.</param>
    /// <param name="experts">Logical experts.</param>
    /// <param name="maxInstances">The most instances a plan can hold.</param>
    public RerouteTable(int ranks, int experts, int maxInstances)
    {
        _ranks = ranks;
        _experts = experts;
        _firstOfExpert = new int[experts + 1];
        _instancesByExpert = new int[maxInstances];
        _rest = new long[ranks];
        _room = new long[maxInstances];
        _give = new long[maxInstances];
        _remainder = new double[maxInstances];
        _used = new bool[maxInstances];
    }

    /// <summary>Writes the routes as rows (source, expert, instance, tokens), grouped by expert, local routes first.</summary>
    /// <param name="tokens">Token counts [source rank][expert], flattened row by row.</param>
    /// <param name="experts">Each instance's expert.</param>
    /// <param name="ranks">Each instance's rank.</param>
    /// <param name="quotas">Each instance's quota; an expert's quotas sum to its tokens (the caller checks).</param>
    /// <param name="routes">Rows of four; may be shorter than needed.</param>
    /// <returns>The number of rows the table has (rows beyond the buffer are counted, not written).</returns>
    public long Route(ReadOnlySpan<long> tokens, ReadOnlySpan<int> experts, ReadOnlySpan<int> ranks, ReadOnlySpan<long> quotas, Span<long> routes)
    {
        // Instances grouped by expert in instance order (a counting sort).
        Array.Clear(_firstOfExpert);
        foreach (var e in experts)
        {
            _firstOfExpert[e + 1]++;
        }

        for (var e = 0; e < _experts; e++)
        {
            _firstOfExpert[e + 1] += _firstOfExpert[e];
        }

        for (var i = 0; i < experts.Length; i++)
        {
            _instancesByExpert[_firstOfExpert[experts[i]]++] = i;
        }

        for (var e = _experts; e > 0; e--)
        {
            _firstOfExpert[e] = _firstOfExpert[e - 1];
        }

        _firstOfExpert[0] = 0;

        long rows = 0;
        for (var expert = 0; expert < _experts; expert++)
        {
            var start = _firstOfExpert[expert];
            var count = _firstOfExpert[expert + 1] - start;
            long quotaSum = 0;
            for (var k = 0; k < count; k++)
            {
                quotaSum += quotas[_instancesByExpert[start + k]];
            }

            if (quotaSum == 0)
            {
                continue;
            }

            for (var s = 0; s < _ranks; s++)
            {
                _rest[s] = tokens[(s * _experts) + expert];
            }

            for (var k = 0; k < count; k++)
            {
                var instance = _instancesByExpert[start + k];
                var rank = ranks[instance];
                var local = Math.Min(_rest[rank], quotas[instance]);
                _room[k] = quotas[instance] - local;
                if (local > 0)
                {
                    _rest[rank] -= local;
                    Write(routes, rows++, rank, expert, instance, local);
                }
            }

            rows = Proportional(expert, start, count, routes, rows);
        }

        return rows;
    }

    private long Proportional(int expert, int start, int count, Span<long> routes, long rows)
    {
        long total = 0;
        for (var k = 0; k < count; k++)
        {
            total += _room[k];
        }

        if (total == 0)
        {
            return rows;
        }

        for (var s = 0; s < _ranks; s++)
        {
            if (_rest[s] == 0)
            {
                continue;
            }

            long assigned = 0;
            for (var k = 0; k < count; k++)
            {
                var exact = (double)_rest[s] * _room[k] / total;
                _give[k] = Math.Min((long)Math.Floor(exact), _room[k]);
                _remainder[k] = exact - _give[k];
                assigned += _give[k];
            }

            var leftover = _rest[s] - assigned;
            Array.Clear(_used, 0, count);
            while (leftover > 0)
            {
                var best = -1;
                for (var k = 0; k < count; k++)
                {
                    if (!_used[k] && _room[k] - _give[k] > 0 && (best < 0 || _remainder[k] > _remainder[best]))
                    {
                        best = k;
                    }
                }

                if (best < 0)
                {
                    Array.Clear(_used, 0, count);
                    continue;
                }

                _give[best]++;
                _used[best] = true;
                leftover--;
            }

            for (var k = 0; k < count; k++)
            {
                if (_give[k] > 0)
                {
                    Write(routes, rows++, s, expert, _instancesByExpert[start + k], _give[k]);
                    _room[k] -= _give[k];
                    total -= _give[k];
                }
            }
        }

        return rows;
    }

    private static void Write(Span<long> routes, long row, int source, int expert, int instance, long tokens)
    {
        if ((row * 4) + 4 <= routes.Length)
        {
            var at = (int)(row * 4);
            routes[at] = source;
            routes[at + 1] = expert;
            routes[at + 2] = instance;
            routes[at + 3] = tokens;
        }
    }
}
