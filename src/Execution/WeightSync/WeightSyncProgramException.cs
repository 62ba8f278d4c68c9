using System.Collections.Immutable;

namespace Planning.Execution.WeightSync;

/// <summary>What <see cref="WeightSyncProgramChecker"/> found wrong with a set of weight-sync programs.</summary>
public enum WeightSyncProgramError
{
    /// <summary>An operation names a peer that is not another rank of the programs.</summary>
    InvalidPeer,

    /// <summary>
    /// The programs deadlock: in some group a send or receive has no partner on its peer in that group (a dropped
    /// operation, a wrong peer, the pairs in another order), or its partner is in another group, so that the two ranks
    /// wait on each other across a barrier (a wait cycle).
    /// </summary>
    Deadlock,

    /// <summary>A rank forwards a chunk before a group in which it has received it: it would send bytes it does not hold.</summary>
    RelayOrder,

    /// <summary>A replica misses a chunk, gets one twice, gets one it does not need, or a chunk's byte range is wrong.</summary>
    Delivery,
}

/// <summary>
/// Weight-sync programs that would deadlock or deliver the wrong bytes, found by <see cref="WeightSyncProgramChecker"/>
/// before they run. The message names the group, the ranks, the expert and the chunk.
/// </summary>
public sealed class WeightSyncProgramException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What is wrong.</param>
    /// <param name="ranks">The ranks involved, in the order the message names them.</param>
    /// <param name="message">The explanation.</param>
    public WeightSyncProgramException(WeightSyncProgramError error, ImmutableArray<int> ranks, string message)
        : base(message)
    {
        Error = error;
        Ranks = ranks.IsDefault ? [] : ranks;
    }

    /// <summary>Creates the exception without details (prefer the constructor that names the error and the ranks).</summary>
    public WeightSyncProgramException()
        : this(WeightSyncProgramError.Deadlock, [], "The weight-sync programs are invalid.")
    {
    }

    /// <summary>Creates the exception with a message only (prefer the constructor that names the error and the ranks).</summary>
    /// <param name="message">The message.</param>
    public WeightSyncProgramException(string message)
        : this(WeightSyncProgramError.Deadlock, [], message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public WeightSyncProgramException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = WeightSyncProgramError.Deadlock;
        Ranks = [];
    }

    /// <summary>What is wrong.</summary>
    public WeightSyncProgramError Error { get; }

    /// <summary>The ranks involved, in the order the message names them.</summary>
    public ImmutableArray<int> Ranks { get; }
}
