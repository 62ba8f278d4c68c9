using Planning.Rollout;

namespace Planning.Execution.Rollout;

/// <summary>
/// Everything <see cref="RolloutSimulator"/> knows of one trajectory during a run: its turn and context, its KV cache
/// while it waits, its place in a queue, and its running turn's iterations. Mutable; one run owns it.
/// </summary>
internal sealed class TrajectoryState(Trajectory trajectory)
{
    /// <summary>Not in any queue (running, in a tool call, or finished).</summary>
    public const int NotQueued = int.MinValue;

    /// <summary>The trajectory.</summary>
    public Trajectory Trajectory { get; } = trajectory;

    /// <summary>The turn it is on (0-based): running, waiting, or the tool call after it.</summary>
    public int Turn { get; set; }

    /// <summary>Its context before the current turn's output: prompt, then every completed turn's output and observation.</summary>
    public long ContextBase { get; set; } = trajectory.PromptTokens;

    /// <summary>Tokens of the current turn generated before a preemption (0 unless preempted mid-turn).</summary>
    public int GeneratedInTurn { get; set; }

    /// <summary>Output tokens of its completed turns.</summary>
    public long Generated { get; set; }

    /// <summary>Turns completed.</summary>
    public int CompletedTurns { get; set; }

    /// <summary>Output tokens of its last completed turn (0 before the first).</summary>
    public int LastTurnOutput { get; set; }

    /// <summary>The instance holding its KV cache while it does not run, or -1.</summary>
    public int CachedOn { get; set; } = -1;

    /// <summary>Tokens of that cache.</summary>
    public long CachedTokens { get; set; }

    /// <summary>When the cache was last used (the least recently used is evicted first).</summary>
    public long CacheStamp { get; set; }

    /// <summary>Whether its cache is in flight to another instance (a migration not yet arrived).</summary>
    public bool TransferPending { get; set; }

    /// <summary>Whether its tool call returned while its cache was still in flight: the next turn is ready when it arrives.</summary>
    public bool AwaitingTransfer { get; set; }

    /// <summary>The instance whose queue holds its ready turn, -1 for the shared queue, or <see cref="NotQueued"/>.</summary>
    public int QueuedAt { get; set; } = NotQueued;

    /// <summary>Its entry in that queue.</summary>
    public QueueEntry QueueEntry { get; set; }

    /// <summary>When its current turn became ready (0, or its tool call's end).</summary>
    public double ReadySeconds { get; set; }

    /// <summary>When its current turn was first admitted.</summary>
    public double AdmittedSeconds { get; set; }

    /// <summary>Whether its current turn has been admitted (a preempted turn's re-admission is not a new wait).</summary>
    public bool AdmittedThisTurn { get; set; }

    /// <summary>Whether its first turn has been admitted.</summary>
    public bool EverAdmitted { get; set; }

    /// <summary>When its last turn completed.</summary>
    public double CompletionSeconds { get; set; }

    /// <summary>The instance iteration at which its running turn was admitted.</summary>
    public long AdmitIteration { get; set; }

    /// <summary>The iteration from which it decodes in the batch (the one after its prefill).</summary>
    public long JoinIteration { get; set; }

    /// <summary>The iteration that yields its running turn's last token.</summary>
    public long FinishIteration { get; set; }

    /// <summary>Its context at <see cref="JoinIteration"/>; it grows by one token per iteration.</summary>
    public long ContextAtJoin { get; set; }

    /// <summary><see cref="GeneratedInTurn"/> when the running turn was admitted.</summary>
    public int GeneratedAtAdmit { get; set; }

    /// <summary>KV tokens the running turn reserves: its context at the end of the turn.</summary>
    public long Reservation { get; set; }

    /// <summary>The queue key it was admitted with (the policy may re-key it), for preemption.</summary>
    public double RunningKey { get; set; }

    /// <summary>Its context at the end of the current turn.</summary>
    public long TurnEndContext => ContextBase + Trajectory.OutputTokens[Turn];

    /// <summary>Whether its last turn has completed.</summary>
    public bool IsFinished => CompletedTurns == Trajectory.Turns;

    /// <summary>What a scheduler may know of it: its prompt and the turns completed so far.</summary>
    public TrajectoryProgress Progress => new(
        Trajectory.PromptTokens, CompletedTurns, Generated + GeneratedInTurn, ContextBase + GeneratedInTurn, LastTurnOutput);
}
