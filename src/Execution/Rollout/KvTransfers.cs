namespace Planning.Execution.Rollout;

/// <summary>
/// The KV-cache transfers in flight (migrations during tool calls) and the bandwidth they share. Every instance has one
/// link of <see cref="RolloutRun.MigrationBytesPerSecond"/> (the cluster's network link); a transfer uses its source's
/// and its target's. Concurrent transfers share the links max-min fairly (progressive filling: the most contended link
/// splits its bandwidth equally among its unfixed transfers, which are fixed at that rate, and the rest of the others'
/// links is shared again), recomputed whenever a transfer starts or ends, so a transfer alone moves at the link's rate
/// and two on one link each take at least twice as long.
/// </summary>
internal sealed class KvTransfers(double linkBytesPerSecond)
{
    private readonly List<Transfer> _active = [];
    private double _updated;

    /// <summary>Transfers in flight.</summary>
    public int Count => _active.Count;

    /// <summary>Whether a transfer in flight uses the instance's link (its memory holds the cache).</summary>
    public bool Involves(int instance) => _active.Any(t => t.From == instance || t.To == instance);

    /// <summary>Transfers in flight over the instance's link.</summary>
    public int CountOn(int instance) => _active.Count(t => t.From == instance || t.To == instance);

    /// <summary>Starts a transfer at <paramref name="now"/> and re-shares the links.</summary>
    public void Start(double now, Transfer transfer)
    {
        Advance(now);
        _active.Add(transfer);
        Share();
    }

    /// <summary>The time the next transfer completes at the current rates, or infinity when none is in flight.</summary>
    public double NextCompletion()
    {
        var next = double.PositiveInfinity;
        foreach (var t in _active)
        {
            next = Math.Min(next, _updated + (t.RemainingBytes / t.BytesPerSecond));
        }

        return next;
    }

    /// <summary>Moves the bytes up to <paramref name="now"/>, removes and returns the transfers that completed, and re-shares the links.</summary>
    public List<Transfer> Complete(double now)
    {
        Advance(now);

        // Done: nothing left (within rounding), or so little that its end at this rate is not after now (time cannot
        // advance by less than a double's resolution, so waiting for it would never end).
        var done = _active.Where(t => t.RemainingBytes <= 1e-9 * t.Bytes || now + (t.RemainingBytes / t.BytesPerSecond) <= now).ToList();
        foreach (var t in done)
        {
            t.RemainingBytes = 0;
            _active.Remove(t);
        }

        Share();
        return done;
    }

    private void Advance(double now)
    {
        var elapsed = now - _updated;
        if (elapsed > 0)
        {
            foreach (var t in _active)
            {
                t.RemainingBytes = Math.Max(0, t.RemainingBytes - (t.BytesPerSecond * elapsed));
            }
        }

        _updated = now;
    }

    /// <summary>Max-min fair rates by progressive filling over the instances' links.</summary>
    private void Share()
    {
        var capacity = new Dictionary<int, double>();
        var unfixed = new HashSet<Transfer>(_active);
        foreach (var t in _active)
        {
            capacity[t.From] = linkBytesPerSecond;
            capacity[t.To] = linkBytesPerSecond;
        }

        while (unfixed.Count > 0)
        {
            var bottleneck = -1;
            var share = double.PositiveInfinity;
            foreach (var (link, left) in capacity.OrderBy(kv => kv.Key))
            {
                var users = unfixed.Count(t => t.From == link || t.To == link);
                if (users > 0 && left / users < share)
                {
                    share = left / users;
                    bottleneck = link;
                }
            }

            foreach (var t in unfixed.Where(t => t.From == bottleneck || t.To == bottleneck).ToList())
            {
                t.BytesPerSecond = Math.Max(share, 1e-9 * linkBytesPerSecond);
                capacity[t.From] -= share;
                capacity[t.To] -= share;
                unfixed.Remove(t);
            }
        }
    }

    /// <summary>One KV cache in flight.</summary>
    /// <param name="trajectory">The trajectory whose cache moves.</param>
    /// <param name="afterTurn">The turn after which it moves.</param>
    /// <param name="from">The source instance.</param>
    /// <param name="to">The target instance.</param>
    /// <param name="tokens">The cache's tokens.</param>
    /// <param name="bytes">The bytes to move.</param>
    /// <param name="startSeconds">When it started.</param>
    /// <param name="toolEndSeconds">When the tool call returns.</param>
    internal sealed class Transfer(int trajectory, int afterTurn, int from, int to, long tokens, double bytes, double startSeconds, double toolEndSeconds)
    {
        public int Trajectory { get; } = trajectory;

        public int AfterTurn { get; } = afterTurn;

        public int From { get; } = from;

        public int To { get; } = to;

        public long Tokens { get; } = tokens;

        public double Bytes { get; } = bytes;

        public double StartSeconds { get; } = startSeconds;

        public double ToolEndSeconds { get; } = toolEndSeconds;

        public double RemainingBytes { get; set; } = bytes;

        public double BytesPerSecond { get; set; }
    }
}
