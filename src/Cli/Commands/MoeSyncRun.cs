using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Planning.Execution.WeightSync;
using Planning.Moe;

namespace Planning.Cli.Commands;

/// <summary>
/// The weight sync of a multi-layer plan, planned, cut into groups and checked: what <c>plan moe sync</c> writes.
/// Every layer's experts are distinct weights, so the schedule numbers them <c>layer x expertsPerLayer + expert</c>;
/// the JSON writes the layer and the expert within it apart.
/// </summary>
internal sealed class WeightSyncRun
{
    private WeightSyncRun(int expertsPerLayer, long expertBytes, LinkModel link, ImmutableArray<ReplicaTransfer> transfers, WeightSyncSchedule? schedule, WeightSyncPrograms programs)
    {
        ExpertsPerLayer = expertsPerLayer;
        ExpertBytes = expertBytes;
        Link = link;
        Transfers = transfers;
        Schedule = schedule;
        Programs = programs;
    }

    /// <summary>Experts per layer; expert <c>e</c>'s master is rank <c>e / (ExpertsPerLayer / ranks)</c>, as in a case.</summary>
    public int ExpertsPerLayer { get; }

    /// <summary>Bytes of one expert's weights.</summary>
    public long ExpertBytes { get; }

    /// <summary>The link model the schedule was planned on.</summary>
    public LinkModel Link { get; }

    /// <summary>The transfers of every layer, experts numbered across layers.</summary>
    public ImmutableArray<ReplicaTransfer> Transfers { get; }

    /// <summary>The schedule; <see langword="null"/> when every replica is in place.</summary>
    public WeightSyncSchedule? Schedule { get; }

    /// <summary>The checked programs.</summary>
    public WeightSyncPrograms Programs { get; }

    /// <summary>A rank's program file name.</summary>
    public static string ProgramFile(int rank) => string.Create(CultureInfo.InvariantCulture, $"rank-{rank}.json");

    /// <summary>Plans, groups and checks the sync of a plan's new replicas.</summary>
    /// <param name="placements">The plan's placement per layer.</param>
    /// <param name="previous">The previous plan's placement per layer (its replicas hold their weights), or null.</param>
    /// <param name="ranks">The ranks.</param>
    /// <param name="expertBytes">Bytes of one expert.</param>
    /// <param name="link">The link model.</param>
    /// <returns>The run.</returns>
    /// <exception cref="PlanningInputException">The placements name a rank outside the plan's ranks, or their experts do not divide over the ranks.</exception>
    public static WeightSyncRun Plan(
        ImmutableArray<ImmutableArray<ExpertInstance>> placements,
        ImmutableArray<ImmutableArray<ExpertInstance>>? previous,
        int ranks,
        long expertBytes,
        LinkModel link)
    {
        var experts = 0;
        for (var l = 0; l < placements.Length; l++)
        {
            for (var i = 0; i < placements[l].Length; i++)
            {
                var instance = placements[l][i];
                if (instance.Rank >= ranks)
                {
                    throw new PlanningInputException(Invariant($"plan.layers[{l}].placement[{i}].rank"), Invariant($"is {instance.Rank}, but the plan has {ranks} ranks"));
                }

                experts = Math.Max(experts, instance.Expert + 1);
            }
        }

        if (experts == 0 || experts % ranks != 0)
        {
            throw new PlanningInputException("plan.layers[0].placement", Invariant($"places experts 0 to {experts - 1}: {experts} experts do not divide over {ranks} ranks, so their masters are unknown"));
        }

        var perRank = experts / ranks;
        int[] masters = [.. Enumerable.Range(0, experts).Select(e => e / perRank)];
        var transfers = ImmutableArray.CreateBuilder<ReplicaTransfer>();
        for (var l = 0; l < placements.Length; l++)
        {
            var inPlace = previous?[l].Where(i => i.Expert < experts);
            foreach (var t in ReplicaTransfer.NewReplicas(placements[l], inPlace, masters, expertBytes))
            {
                transfers.Add(new ReplicaTransfer((l * experts) + t.Expert, t.SourceRank, t.Receivers, t.Bytes));
            }
        }

        var all = transfers.ToImmutable();
        var schedule = all.IsEmpty ? null : WeightSyncPlanner.Plan(all, link, ranks);
        var programs = schedule is null
            ? new WeightSyncPrograms([.. Enumerable.Range(0, ranks).Select(_ => ImmutableArray.Create(ImmutableArray<SyncOperation>.Empty))])
            : WeightSyncPrograms.From(schedule);
        WeightSyncProgramChecker.Check(programs, all, link.ChunkBytes);
        return new WeightSyncRun(experts, expertBytes, link, all, schedule, programs);
    }

    /// <summary>One rank's program as JSON (see docs/contracts.md).</summary>
    public byte[] ProgramJson(int rank) => Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("rank", rank);
        writer.WriteStartArray("groups");
        foreach (var group in Programs.GroupsOf(rank))
        {
            writer.WriteStartArray();
            foreach (var op in group)
            {
                writer.WriteStartObject();
                writer.WriteString("op", op.Kind == SyncOperationKind.Send ? "send" : "recv");
                writer.WriteNumber("peer", op.Peer);
                writer.WriteNumber("layer", op.Expert / ExpertsPerLayer);
                writer.WriteNumber("expert", op.Expert % ExpertsPerLayer);
                writer.WriteNumber("chunk", op.Chunk);
                writer.WriteNumber("offset", op.Offset);
                writer.WriteNumber("bytes", op.Bytes);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>The manifest as JSON (see docs/contracts.md).</summary>
    public byte[] ManifestJson() => Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("ranks", Programs.Ranks);
        writer.WriteNumber("groups", Programs.GroupCount);
        writer.WriteNumber("expertsPerLayer", ExpertsPerLayer);
        writer.WriteNumber("expertBytes", ExpertBytes);
        writer.WriteNumber("chunkBytes", Link.ChunkBytes);
        writer.WriteNumber("totalBytes", Programs.TotalBytes);
        writer.WriteNumber("predictedSeconds", Schedule?.PredictedSeconds ?? 0);
        writer.WriteStartObject("link");
        writer.WriteNumber("outboundBytesPerSecond", Link.OutboundBytesPerSecond);
        writer.WriteNumber("inboundBytesPerSecond", Link.InboundBytesPerSecond);
        writer.WriteNumber("latencySeconds", Link.LatencySeconds);
        writer.WriteNumber("chunkBytes", Link.ChunkBytes);
        writer.WriteEndObject();
        writer.WriteStartArray("transfers");
        for (var i = 0; i < Transfers.Length; i++)
        {
            var transfer = Transfers[i];
            var decision = Schedule!.Experts[i];
            writer.WriteStartObject();
            writer.WriteNumber("layer", transfer.Expert / ExpertsPerLayer);
            writer.WriteNumber("expert", transfer.Expert % ExpertsPerLayer);
            writer.WriteNumber("source", transfer.SourceRank);
            writer.WriteStartArray("receivers");
            foreach (var receiver in transfer.Receivers)
            {
                writer.WriteNumberValue(receiver);
            }

            writer.WriteEndArray();
            writer.WriteString("mode", decision.Mode == SyncMode.Relay ? "relay" : "direct");
            writer.WriteStartArray("relays");
            foreach (var relay in decision.Relays)
            {
                writer.WriteNumberValue(relay);
            }

            writer.WriteEndArray();
            writer.WriteNumber("predictedSeconds", decision.PredictedSeconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("programs");
        for (var rank = 0; rank < Programs.Ranks; rank++)
        {
            writer.WriteStringValue(ProgramFile(rank));
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            write(writer);
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
