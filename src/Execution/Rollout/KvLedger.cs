namespace Planning.Execution.Rollout;

/// <summary>
/// The KV memory of every instance during a run: reservations of running turns (each turn reserves its context at the
/// end of the turn, so no instance swaps mid-turn), the caches of trajectories that do not run (in a tool call, waiting,
/// or preempted), kept until a least-recently-used eviction needs their room, and each instance's peak.
/// </summary>
internal sealed class KvLedger
{
    private readonly TrajectoryState[] _trajectories;
    private readonly Account[] _accounts;
    private readonly RolloutRecorder _recorder;
    private long _useStamp;

    /// <summary>Creates the ledger.</summary>
    /// <param name="trajectories">The run's trajectories (their cache fields are the ledger's to write).</param>
    /// <param name="capacities">Each instance's KV capacity, tokens.</param>
    /// <param name="recorder">Where evictions are counted.</param>
    public KvLedger(TrajectoryState[] trajectories, IEnumerable<long> capacities, RolloutRecorder recorder)
    {
        _trajectories = trajectories;
        _accounts = [.. capacities.Select(c => new Account { Capacity = c })];
        _recorder = recorder;
    }

    /// <summary>The instance's KV capacity.</summary>
    public long Capacity(int instance) => _accounts[instance].Capacity;

    /// <summary>Tokens reserved by running turns or held as cache.</summary>
    public long Reserved(int instance) => _accounts[instance].Reserved;

    /// <summary>The most tokens the instance held at once.</summary>
    public long Peak(int instance) => _accounts[instance].Peak;

    /// <summary>Tokens neither reserved nor cached.</summary>
    public long Free(int instance) => _accounts[instance].Capacity - _accounts[instance].Reserved;

    /// <summary>Whether the instance holds any cache.</summary>
    public bool HoldsCaches(int instance) => _accounts[instance].Lru.Count > 0;

    /// <summary>Whether a turn of this end context fits beside the running turns once every cache is evicted.</summary>
    public bool FitsBesideRunning(int instance, long tokens) => _accounts[instance].Capacity - _accounts[instance].RunningReserved >= tokens;

    /// <summary>A regroup's new capacity.</summary>
    public void Resize(int instance, long capacity) => _accounts[instance].Capacity = capacity;

    /// <summary>Reserves a running turn's end context on the instance.</summary>
    public void Reserve(int trajectory, int instance, long tokens)
    {
        var account = _accounts[instance];
        _trajectories[trajectory].Reservation = tokens;
        account.Reserved += tokens;
        account.RunningReserved += tokens;
        account.Peak = Math.Max(account.Peak, account.Reserved);
    }

    /// <summary>Releases a turn's reservation (it completed or was preempted).</summary>
    public void Release(int trajectory, int instance)
    {
        var account = _accounts[instance];
        var reservation = _trajectories[trajectory].Reservation;
        account.Reserved -= reservation;
        account.RunningReserved -= reservation;
    }

    /// <summary>
    /// Holds <paramref name="tokens"/> on the instance for a KV transfer in flight (the source's copy until it has left,
    /// the target's until it has arrived): reserved, and not evictable, like a running turn's.
    /// </summary>
    public void Pin(int instance, long tokens)
    {
        var account = _accounts[instance];
        account.Reserved += tokens;
        account.RunningReserved += tokens;
        account.Peak = Math.Max(account.Peak, account.Reserved);
    }

    /// <summary>Releases what <see cref="Pin"/> held.</summary>
    public void Unpin(int instance, long tokens)
    {
        var account = _accounts[instance];
        account.Reserved -= tokens;
        account.RunningReserved -= tokens;
    }

    /// <summary>Drops every cache the instance holds (an engine restart loses them); returns how many.</summary>
    public int DropAllCaches(int instance)
    {
        var account = _accounts[instance];
        var dropped = 0;
        while (account.Lru.Count > 0)
        {
            DropCache(account.Lru.Min.Trajectory);
            dropped++;
        }

        return dropped;
    }

    /// <summary>Holds the trajectory's cache of <paramref name="tokens"/> on the instance, the most recently used.</summary>
    public void Cache(int trajectory, int instance, long tokens)
    {
        var account = _accounts[instance];
        var state = _trajectories[trajectory];
        state.CachedOn = instance;
        state.CachedTokens = tokens;
        state.CacheStamp = _useStamp++;
        account.Lru.Add((state.CacheStamp, trajectory));
        account.Reserved += tokens;
        account.Peak = Math.Max(account.Peak, account.Reserved);
    }

    /// <summary>Frees the trajectory's cache, if it holds one.</summary>
    public void DropCache(int trajectory)
    {
        var state = _trajectories[trajectory];
        var i = state.CachedOn;
        if (i < 0)
        {
            return;
        }

        var account = _accounts[i];
        account.Lru.Remove((state.CacheStamp, trajectory));
        account.Reserved -= state.CachedTokens;
        state.CachedOn = -1;
        state.CachedTokens = 0;
    }

    /// <summary>
    /// Evicts least recently used caches (not <paramref name="exclude"/>'s) until <paramref name="tokens"/> fit; false
    /// (evicting nothing) when they cannot.
    /// </summary>
    public bool MakeRoom(int instance, long tokens, int exclude)
    {
        var account = _accounts[instance];
        if (account.Capacity - account.Reserved >= tokens)
        {
            return true;
        }

        var excluded = exclude >= 0 && _trajectories[exclude].CachedOn == instance ? _trajectories[exclude].CachedTokens : 0;
        if (account.Capacity - account.RunningReserved - excluded < tokens)
        {
            return false;
        }

        while (account.Capacity - account.Reserved < tokens)
        {
            var victim = account.Lru.Min;
            if (victim.Trajectory == exclude)
            {
                victim = account.Lru.First(e => e.Trajectory != exclude);
            }

            DropCache(victim.Trajectory);
            _recorder.Evictions++;
        }

        return true;
    }

    /// <summary>One instance's KV memory.</summary>
    private sealed class Account
    {
        public long Capacity { get; set; }

        public long Reserved { get; set; }

        public long RunningReserved { get; set; }

        public long Peak { get; set; }

        /// <summary>Cached (not running) trajectories by last use: (use stamp, trajectory).</summary>
        public SortedSet<(long Stamp, int Trajectory)> Lru { get; } = [];
    }
}
