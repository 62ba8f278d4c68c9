using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Planning.Moe;

namespace Planning.Execution.Moe;

/// <summary>
/// What happens when one layer runs under a plan on a simulated expert-parallel machine: the tokens each rank computes,
/// the all-to-all traffic between ranks (tokens that stay on their source rank excluded), the compute imbalance and the
/// share of tokens that never leave their source rank. Measured from a <see cref="MoeDispatch"/>; immutable.
/// </summary>
public sealed class MoeLayerExecution
{
    private MoeLayerExecution(
        MoeDispatch dispatch,
        ImmutableArray<long> receivedTokens,
        ImmutableArray<long> localTokens,
        ImmutableArray<long> sentRemoteTokens,
        ImmutableArray<long> receivedRemoteTokens,
        RankTrafficMatrix traffic)
    {
        Dispatch = dispatch;
        ReceivedTokens = receivedTokens;
        LocalTokens = localTokens;
        SentRemoteTokens = sentRemoteTokens;
        ReceivedRemoteTokens = receivedRemoteTokens;
        Traffic = traffic;
        TotalTokens = receivedTokens.Sum();
        var local = localTokens.Sum();
        RemoteTokens = TotalTokens - local;
        ComputeImbalance = LoadMath.Imbalance(receivedTokens.AsSpan());
        LocalFraction = TotalTokens == 0 ? 1.0 : local / (double)TotalTokens;
    }

    /// <summary>The routes this execution was measured from.</summary>
    public MoeDispatch Dispatch { get; }

    /// <summary>The number of ranks.</summary>
    public int Ranks => Dispatch.Ranks;

    /// <summary>Per rank, the tokens its expert instances compute (its compute load), local and remote together.</summary>
    public ImmutableArray<long> ReceivedTokens { get; }

    /// <summary>Per rank, the tokens it routes to instances on itself: computed without any traffic.</summary>
    public ImmutableArray<long> LocalTokens { get; }

    /// <summary>Per rank, the tokens it sends to other ranks in the dispatch all-to-all.</summary>
    public ImmutableArray<long> SentRemoteTokens { get; }

    /// <summary>Per rank, the tokens it receives from other ranks in the dispatch all-to-all.</summary>
    public ImmutableArray<long> ReceivedRemoteTokens { get; }

    /// <summary>The rank-by-rank all-to-all traffic in tokens; row sums are <see cref="SentRemoteTokens"/>, column sums <see cref="ReceivedRemoteTokens"/>.</summary>
    public RankTrafficMatrix Traffic { get; }

    /// <summary>All tokens of the layer.</summary>
    public long TotalTokens { get; }

    /// <summary>All tokens that leave their source rank: the all-to-all volume.</summary>
    public long RemoteTokens { get; }

    /// <summary>Max / mean of <see cref="ReceivedTokens"/>; 1 when the layer has no tokens.</summary>
    public double ComputeImbalance { get; }

    /// <summary>The share of tokens that never leave their source rank, in [0, 1]; 1 when the layer has no tokens.</summary>
    public double LocalFraction { get; }

    /// <summary>Measures a dispatch: per-rank compute, local and remote tokens, and the traffic matrix.</summary>
    /// <param name="dispatch">The routes of one layer.</param>
    /// <returns>The measured execution.</returns>
    public static MoeLayerExecution Measure(MoeDispatch dispatch)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        var ranks = dispatch.Ranks;
        var received = new long[ranks];
        var local = new long[ranks];
        var sent = new long[ranks];
        var receivedRemote = new long[ranks];
        var traffic = new long[ranks * ranks];
        foreach (var route in dispatch.Routes.AsSpan())
        {
            received[route.TargetRank] += route.Tokens;
            if (route.IsLocal)
            {
                local[route.SourceRank] += route.Tokens;
            }
            else
            {
                sent[route.SourceRank] += route.Tokens;
                receivedRemote[route.TargetRank] += route.Tokens;
                traffic[(route.SourceRank * ranks) + route.TargetRank] += route.Tokens;
            }
        }

        return new MoeLayerExecution(
            dispatch,
            ImmutableCollectionsMarshal.AsImmutableArray(received),
            ImmutableCollectionsMarshal.AsImmutableArray(local),
            ImmutableCollectionsMarshal.AsImmutableArray(sent),
            ImmutableCollectionsMarshal.AsImmutableArray(receivedRemote),
            new RankTrafficMatrix(ranks, ImmutableCollectionsMarshal.AsImmutableArray(traffic)));
    }
}
