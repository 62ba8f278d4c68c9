using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.WeightSync;

namespace Planning.Execution.Tests.WeightSync;

/// <summary>Properties of weight-sync schedules planned for generated transfer sets.</summary>
public sealed class WeightSyncPropertyTests
{
    /// <summary>
    /// 2..32 ranks; 1..6 experts (ids 1, 4, 7, ... so that an expert id is never a rank or an index by accident), each
    /// from a random master to a random non-empty set of other ranks, given in random order; 1..5 chunks of 1..64
    /// bytes, the last one full (the chunk size divides the bytes) or not; asymmetric bandwidths and latencies.
    /// </summary>
    internal static readonly Arbitrary<SyncCase> Cases =
        (from ranks in Gen.Choose(2, 32)
         from chunkBytes in Gen.Choose(1, 64)
         from outbound in Gen.Choose(1, 8)
         from inbound in Gen.Choose(1, 8)
         from latencyMs in Gen.Choose(1, 40)
         from experts in Gen.Choose(1, 6)
         from transfers in Gen.CollectToArray(Enumerable.Range(0, experts), e => TransferGen((3 * e) + 1, ranks, chunkBytes))
         select new SyncCase(ranks, new LinkModel(outbound * 50.0, inbound * 50.0, latencyMs / 1000.0, chunkBytes), transfers))
        .ToArbitrary();

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_DeliversEveryChunkToEveryReceiverExactlyOnce() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();
            foreach (var transfer in c.Transfers)
            {
                var chunks = (int)c.Link.ChunkCount(transfer.Bytes);
                for (var rank = 0; rank < c.Ranks; rank++)
                {
                    var received = schedule.OperationsOf(rank)
                        .Where(o => o.Kind == SyncOperationKind.Receive && o.Expert == transfer.Expert)
                        .ToArray();
                    if (!transfer.Receivers.Contains(rank))
                    {
                        Assert.Empty(received);
                        continue;
                    }

                    // Each chunk once, at its offset, and the chunks add up to the weights.
                    Assert.Equal(Enumerable.Range(0, chunks), received.Select(o => o.Chunk).Order());
                    Assert.All(received, o => Assert.Equal(o.Chunk * c.Link.ChunkBytes, o.Offset));
                    Assert.Equal(transfer.Bytes, received.Sum(o => o.Bytes));
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_MatchesEveryReceiveWithOneSendInTheSameOrder() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();
            for (var from = 0; from < c.Ranks; from++)
            {
                for (var to = 0; to < c.Ranks; to++)
                {
                    // Between two ranks, the sends on one and the receives on the other are the same chunks in the same
                    // order: every receive has its send, and NCCL can pair them as issued.
                    var sends = schedule.OperationsOf(from)
                        .Where(o => o.Kind == SyncOperationKind.Send && o.Peer == to)
                        .Select(o => (o.Expert, o.Chunk, o.Offset, o.Bytes));
                    var receives = schedule.OperationsOf(to)
                        .Where(o => o.Kind == SyncOperationKind.Receive && o.Peer == from)
                        .Select(o => (o.Expert, o.Chunk, o.Offset, o.Bytes));
                    Assert.Equal(sends, receives);
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_RelayReceivesAChunkBeforeItForwardsIt() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();
            var masters = c.Transfers.ToDictionary(t => t.Expert, t => t.SourceRank);
            for (var rank = 0; rank < c.Ranks; rank++)
            {
                var held = new HashSet<(int Expert, int Chunk)>();
                foreach (var op in schedule.OperationsOf(rank))
                {
                    if (op.Kind == SyncOperationKind.Receive)
                    {
                        Assert.True(held.Add((op.Expert, op.Chunk)), $"rank {rank} receives {op} twice");
                    }
                    else if (masters[op.Expert] != rank)
                    {
                        Assert.True(held.Contains((op.Expert, op.Chunk)), $"rank {rank} forwards {op} before it receives it");
                    }
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_OnlyTheMasterAndItsRelaysSendAnExpert() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();
            foreach (var expert in schedule.Experts)
            {
                var transfer = expert.Transfer;
                for (var rank = 0; rank < c.Ranks; rank++)
                {
                    var ops = schedule.OperationsOf(rank).Where(o => o.Expert == expert.Expert).ToArray();
                    var sendsTo = ops.Where(o => o.Kind == SyncOperationKind.Send).Select(o => o.Peer).Distinct().Order().ToArray();
                    var receivesFrom = ops.Where(o => o.Kind == SyncOperationKind.Receive).Select(o => o.Peer).Distinct().ToArray();
                    if (rank == transfer.SourceRank)
                    {
                        // The master receives nothing and sends to every receiver (direct) or to exactly its relays.
                        Assert.Empty(receivesFrom);
                        var expected = expert.Mode == SyncMode.Direct ? transfer.Receivers : expert.Relays;
                        Assert.Equal(expected.Order(), sendsTo);
                    }
                    else if (!transfer.Receivers.Contains(rank))
                    {
                        Assert.Empty(ops);
                    }
                    else
                    {
                        // A receiver gets every chunk from one rank: the master, when direct or when it is a relay;
                        // otherwise one relay. Only relays send.
                        var feeder = Assert.Single(receivesFrom);
                        var isRelay = expert.Relays.Contains(rank);
                        Assert.True(
                            feeder == transfer.SourceRank ? expert.Mode == SyncMode.Direct || isRelay : expert.Relays.Contains(feeder),
                            $"rank {rank} receives expert {expert.Expert} from {feeder}");
                        Assert.True(isRelay || sendsTo.Length == 0, $"rank {rank} is no relay of expert {expert.Expert} but sends it");
                        Assert.All(sendsTo, to => Assert.Contains(to, transfer.Receivers));
                    }
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_ChoosesTheModePredictedFaster() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();
            foreach (var expert in schedule.Experts)
            {
                Assert.Equal(Math.Min(expert.DirectSeconds, expert.RelaySeconds), expert.PredictedSeconds);
                Assert.Equal(expert.RelaySeconds < expert.DirectSeconds ? SyncMode.Relay : SyncMode.Direct, expert.Mode);

                // Direct keeps the master's outbound link busy back to back: n receivers x (latency + chunk / rate) per chunk.
                var n = expert.Transfer.Receivers.Length;
                var chunkSeconds = Enumerable.Range(0, expert.Chunks)
                    .Sum(k => c.Link.TransferSeconds(Math.Min(c.Link.ChunkBytes, expert.Transfer.Bytes - (k * c.Link.ChunkBytes))));
                Assert.Equal(n * chunkSeconds, expert.DirectSeconds, 1e-9 * expert.DirectSeconds);

                if (expert.Mode == SyncMode.Relay)
                {
                    var floor = (int)Math.Floor(Math.Sqrt(n));
                    Assert.InRange(expert.Relays.Length, floor, floor + 1);
                }
            }

            return true;
        });

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_PicksTheLeastLoadedReceiversAsRelays() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();
            var load = new long[c.Ranks];
            foreach (var expert in schedule.Experts)
            {
                if (expert.Mode == SyncMode.Relay)
                {
                    var leastLoaded = expert.Transfer.Receivers.OrderBy(r => load[r]).ThenBy(r => r).Take(expert.Relays.Length);
                    Assert.Equal(leastLoaded, expert.Relays);
                }

                // The outbound load this expert adds, read back from the programs.
                for (var rank = 0; rank < c.Ranks; rank++)
                {
                    load[rank] += schedule.OperationsOf(rank)
                        .Where(o => o.Kind == SyncOperationKind.Send && o.Expert == expert.Expert)
                        .Sum(o => o.Bytes);
                }
            }

            Assert.Equal(load, schedule.OutboundBytes.ToArray());
            return true;
        });

    [Property(MaxTest = 200)]
    public Property Plan_GeneratedCases_PredictionsAgreeWithTheTimeModel() =>
        Prop.ForAll(Cases, c =>
        {
            var schedule = c.Plan();

            // The whole schedule, evaluated from its programs, is the planner's prediction to the bit.
            Assert.Equal(schedule.PredictedSeconds, WeightSyncTimeModel.PredictSeconds(schedule, c.Link));

            // Each expert's own operations, kept in program order, are its prediction alone to the bit, and sharing
            // links with other experts only adds time.
            foreach (var expert in schedule.Experts)
            {
                var alone = schedule.Operations.Select(p => p.Where(o => o.Expert == expert.Expert).ToImmutableArray()).ToArray();
                Assert.Equal(expert.PredictedSeconds, WeightSyncTimeModel.PredictSeconds(alone, c.Link));
                Assert.True(schedule.PredictedSeconds >= expert.PredictedSeconds);
            }

            // No outbound or inbound link can finish before it has carried all its chunks back to back.
            for (var rank = 0; rank < c.Ranks; rank++)
            {
                foreach (var kind in new[] { SyncOperationKind.Send, SyncOperationKind.Receive })
                {
                    var busy = schedule.OperationsOf(rank).Where(o => o.Kind == kind).Sum(o => c.Link.TransferSeconds(o.Bytes));
                    Assert.True(busy <= schedule.PredictedSeconds * (1 + 1e-12), $"rank {rank} {kind}: busy {busy} s > {schedule.PredictedSeconds} s");
                }
            }

            return true;
        });

    [Property(MaxTest = 100)]
    public Property Plan_GeneratedCases_IsDeterministicAndIgnoresReceiverOrder() =>
        Prop.ForAll(Cases, c =>
        {
            var first = c.Plan();
            var again = c.Plan();
            ReplicaTransfer[] reversed = [.. c.Transfers.Select(t => new ReplicaTransfer(t.Expert, t.SourceRank, [.. t.Receivers.Reverse()], t.Bytes))];
            var reordered = WeightSyncPlanner.Plan(reversed, c.Link, c.Ranks);
            foreach (var other in new[] { again, reordered })
            {
                Assert.Equal(first.PredictedSeconds, other.PredictedSeconds);
                Assert.Equal(first.OutboundBytes.ToArray(), other.OutboundBytes.ToArray());
                for (var rank = 0; rank < c.Ranks; rank++)
                {
                    Assert.Equal(first.OperationsOf(rank).ToArray(), other.OperationsOf(rank).ToArray());
                }

                for (var i = 0; i < first.Experts.Length; i++)
                {
                    Assert.Equal(first.Experts[i].Mode, other.Experts[i].Mode);
                    Assert.Equal(first.Experts[i].Relays.ToArray(), other.Experts[i].Relays.ToArray());
                    Assert.Equal(first.Experts[i].DirectSeconds, other.Experts[i].DirectSeconds);
                    Assert.Equal(first.Experts[i].RelaySeconds, other.Experts[i].RelaySeconds);
                }
            }

            return true;
        });

    private static Gen<ReplicaTransfer> TransferGen(int expert, int ranks, int chunkBytes) =>
        from source in Gen.Choose(0, ranks - 1)
        from others in Gen.Shuffle(Enumerable.Range(0, ranks).Where(r => r != source))
        from count in Gen.Choose(1, ranks - 1)
        from chunks in Gen.Choose(1, 5)
        from last in Gen.OneOf(Gen.Constant(chunkBytes), Gen.Choose(1, chunkBytes))
        select new ReplicaTransfer(expert, source, [.. others.Take(count)], ((chunks - 1L) * chunkBytes) + last);

    /// <summary>A generated planning problem.</summary>
    public sealed record SyncCase(int Ranks, LinkModel Link, ReplicaTransfer[] Transfers)
    {
        public WeightSyncSchedule Plan() => WeightSyncPlanner.Plan(Transfers, Link, Ranks);

        public override string ToString() => $"{Ranks} ranks, {Link}, transfers: {string.Join("; ", Transfers.Select(t => t.ToString()))}";
    }
}
