namespace Planning.Execution.Rollout;

/// <summary>
/// verl's sticky, cache-aware routing, shared by <see cref="VerlRolloutPolicy"/> and <see cref="HeddleRolloutPolicy"/>
/// (for trajectories its placement left unassigned): a trajectory's first request goes to the instance with the fewest
/// requests so far (the lowest index on ties), and its later turns return there, where its KV cache is.
/// </summary>
internal sealed class StickyRouter
{
    private int[] _assigned = [];
    private long[] _requests = [];
    private List<int>[] _members = [];

    /// <summary>Forgets every assignment, for a trace of <paramref name="trajectories"/> on <paramref name="instances"/> instances.</summary>
    public void Reset(int trajectories, int instances)
    {
        _assigned = [.. Enumerable.Repeat(-1, trajectories)];
        _requests = new long[instances];
        _members = new List<int>[instances];
        for (var i = 0; i < instances; i++)
        {
            _members[i] = [];
        }
    }

    /// <summary>The number of trajectories in the trace.</summary>
    public int Trajectories => _assigned.Length;

    /// <summary>The instance a trajectory is assigned to, or -1 before its first request.</summary>
    public int InstanceOf(int trajectory) => _assigned[trajectory];

    /// <summary>Assigns (or moves) a trajectory to an instance: a placement plan or a migration.</summary>
    public void Assign(int trajectory, int instance)
    {
        var previous = _assigned[trajectory];
        if (previous == instance)
        {
            return;
        }

        if (previous >= 0)
        {
            _members[previous].Remove(trajectory);
        }

        _assigned[trajectory] = instance;
        if (instance >= 0)
        {
            _members[instance].Add(trajectory);
        }
    }

    /// <summary>
    /// The trajectories assigned to an instance (finished ones included), so that a per-instance question does not scan
    /// the whole trace.
    /// </summary>
    /// <param name="instance">The instance.</param>
    /// <returns>Its trajectories, in assignment order.</returns>
    public IReadOnlyList<int> Members(int instance) => _members[instance];

    /// <summary>Routes a request of the trajectory: its instance, chosen now if it has none, and counts the request there.</summary>
    public int Route(int trajectory)
    {
        if (_assigned[trajectory] < 0)
        {
            var best = 0;
            for (var i = 1; i < _requests.Length; i++)
            {
                if (_requests[i] < _requests[best])
                {
                    best = i;
                }
            }

            Assign(trajectory, best);
        }

        _requests[_assigned[trajectory]]++;
        return _assigned[trajectory];
    }
}
