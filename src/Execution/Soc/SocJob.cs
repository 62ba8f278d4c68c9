using System.Collections.Immutable;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>What a job computes: one request's prefill, or one decode step of a batch.</summary>
internal enum SocJobKind
{
    Prefill,
    Decode,
}

/// <summary>
/// Kernels the scheduler runs, each after its predecessors: one request's prefill (the cost model's prefill kernels,
/// with the precedences of the heterogeneous execution graph, so a later chunk's linear kernel may run on one lane while
/// an earlier chunk's attention runs on the other) or one output token for a batch (the decode micro-graph's kernels, in
/// layer order). Each kernel boundary is a preemption point; the job's requests advance when its last kernel ends.
/// </summary>
internal sealed class SocJob
{
    private readonly bool[] _done;
    private readonly bool[] _running;
    private readonly int[] _waitingFor;

    // Predecessors neither done nor running, per kernel: zero for the frontier's kernels. Kept up to date so that the
    // frontier costs the running kernels' successors, not their predecessor lists too (attention kernels wait for every
    // earlier chunk of their layer group, so those lists grow with the prompt).
    private readonly int[] _blocking;
    private readonly List<int>[] _successors;
    private readonly SortedSet<int> _ready = [];
    private readonly HashSet<int> _runningSet = [];
    private int _firstNotDone;

    public SocJob(SocJobKind kind, ImmutableArray<SocKernel> kernels, List<SocRequestState> members, double createdMs)
    {
        Kind = kind;
        Kernels = kernels;
        Members = members;
        LastProgressMs = createdMs;
        IsReactive = members.Exists(m => m.IsReactive);
        MemberIds = [.. members.Select(m => m.Id)];
        Predecessors = kind == SocJobKind.Prefill
            ? SocMappingProblem.PrefillPredecessors(kernels)
            : [.. kernels.Select((_, i) => i == 0 ? ImmutableArray<int>.Empty : [i - 1])];
        _done = new bool[kernels.Length];
        _running = new bool[kernels.Length];
        _waitingFor = new int[kernels.Length];
        _blocking = new int[kernels.Length];
        _successors = new List<int>[kernels.Length];
        for (var k = 0; k < kernels.Length; k++)
        {
            _successors[k] = [];
        }

        for (var k = 0; k < kernels.Length; k++)
        {
            _waitingFor[k] = Predecessors[k].Length;
            _blocking[k] = Predecessors[k].Length;
            foreach (var p in Predecessors[k])
            {
                _successors[p].Add(k);
            }

            if (_waitingFor[k] == 0)
            {
                _ready.Add(k);
            }
        }
    }

    public SocJobKind Kind { get; }

    public ImmutableArray<SocKernel> Kernels { get; }

    /// <summary>Each kernel's predecessors (indices of kernels that must end before it starts).</summary>
    public ImmutableArray<ImmutableArray<int>> Predecessors { get; }

    public List<SocRequestState> Members { get; }

    /// <summary>Kernels finished.</summary>
    public int DoneCount { get; private set; }

    /// <summary>Kernels running now.</summary>
    public int RunningCount { get; private set; }

    /// <summary>When it was created or a kernel of it last finished.</summary>
    public double LastProgressMs { get; set; }

    public bool IsFinished => DoneCount == Kernels.Length;

    /// <summary>Whether a reactive request is in it (members never change).</summary>
    public bool IsReactive { get; }

    /// <summary>Its requests' ids, in batch order.</summary>
    public ImmutableArray<string> MemberIds { get; }

    /// <summary>Whether a kernel of it could start now.</summary>
    public bool HasReady => _ready.Count > 0;

    /// <summary>When its earliest reactive member arrived (first come first served among reactive jobs); infinity for a proactive job.</summary>
    public double ReactiveArrivalMs => Members.Where(m => m.IsReactive).Select(m => m.Request.ArrivalMs).DefaultIfEmpty(double.PositiveInfinity).Min();

    public bool IsAged(double nowMs, double ageLimitMs) => !IsReactive && nowMs - LastProgressMs >= ageLimitMs;

    /// <summary>Copies the kernels neither done nor running whose predecessors are all done, in execution order, into <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Cleared, then filled.</param>
    /// <returns>The buffer.</returns>
    public List<int> Ready(List<int> buffer)
    {
        buffer.Clear();
        buffer.AddRange(_ready);
        return buffer;
    }

    /// <summary>
    /// The kernels that could start next: the ready ones, and those waiting only for running kernels (in no particular
    /// order).
    /// </summary>
    public IEnumerable<int> Frontier()
    {
        foreach (var k in _ready)
        {
            yield return k;
        }

        foreach (var r in _runningSet)
        {
            foreach (var successor in _successors[r])
            {
                if (!_done[successor] && !_running[successor] && _blocking[successor] == 0)
                {
                    yield return successor;
                }
            }
        }
    }

    /// <summary>Kernels neither done nor running, in execution order.</summary>
    public IEnumerable<int> Pending()
    {
        for (var k = _firstNotDone; k < Kernels.Length; k++)
        {
            if (!_done[k] && !_running[k])
            {
                yield return k;
            }
        }
    }

    public void MarkRunning(int kernel, bool running)
    {
        if (_running[kernel] == running)
        {
            return;
        }

        _running[kernel] = running;
        RunningCount += running ? 1 : -1;
        if (!_done[kernel])
        {
            foreach (var successor in _successors[kernel])
            {
                _blocking[successor] += running ? -1 : 1;
            }
        }

        if (running)
        {
            _ready.Remove(kernel);
            _runningSet.Add(kernel);
        }
        else
        {
            _runningSet.Remove(kernel);
        }

        if (!running && !_done[kernel] && _waitingFor[kernel] == 0)
        {
            // Aborted: it is ready again.
            _ready.Add(kernel);
        }
    }

    public void MarkDone(int kernel)
    {
        if (_done[kernel])
        {
            return;
        }

        _done[kernel] = true;
        _ready.Remove(kernel);
        if (_running[kernel])
        {
            // Running to done: it blocked nothing before and blocks nothing now.
            _running[kernel] = false;
            _runningSet.Remove(kernel);
            RunningCount--;
        }
        else
        {
            foreach (var successor in _successors[kernel])
            {
                _blocking[successor]--;
            }
        }

        DoneCount++;
        while (_firstNotDone < Kernels.Length && _done[_firstNotDone])
        {
            _firstNotDone++;
        }

        foreach (var successor in _successors[kernel])
        {
            if (--_waitingFor[successor] == 0 && !_done[successor] && !_running[successor])
            {
                _ready.Add(successor);
            }
        }
    }
}
