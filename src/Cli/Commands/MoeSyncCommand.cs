using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Execution.WeightSync;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.Json;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan moe sync</c>: the weight sync a balance plan needs, as per-rank programs of grouped sends and receives that
/// <c>bindings/python/run_sync.py</c> runs on torch.distributed, checked by <see cref="WeightSyncProgramChecker"/> first.
/// </summary>
internal static class MoeSyncCommand
{
    /// <summary>The manifest's file name inside the output directory.</summary>
    public const string ManifestFile = "manifest.json";

    public static Command Create(ConsoleIo io)
    {
        var plan = new Option<string>("--plan") { Description = "The plan (the JSON output of plan moe balance)", Required = true };
        var expertBytes = new Option<long>("--expert-bytes") { Description = "Bytes of one expert's weights", Required = true };
        var output = new Option<string>("--out") { Description = "The directory to write rank-<r>.json and manifest.json to (replaced as a whole)", Required = true };
        var previous = new Option<string?>("--previous") { Description = "The previous plan: its replicas already hold their weights and receive nothing" };
        var hardware = new Option<string>("--hardware") { Description = $"Hardware whose scale-up link the schedule is planned on: {string.Join(" | ", HardwareSpec.Names)} or a hardware JSON file (default h800)", DefaultValueFactory = _ => "h800" };
        var chunkBytes = new Option<long?>("--chunk-bytes") { Description = "Chunk size in bytes (default: the link's, 4 MiB on h800)" };
        var bytesPerSecond = new Option<double?>("--bytes-per-second") { Description = "Override the link's bandwidth per direction (bytes/s), e.g. a measured gloo figure" };
        var latencyUs = new Option<double?>("--latency-us") { Description = "Override the link's per-chunk latency, in microseconds" };
        var command = new Command("sync", "Write the weight-sync programs of a plan's new replicas: one program per rank plus a manifest, checked for deadlock and delivery")
        {
            plan, expertBytes, output, previous, hardware, chunkBytes, bytesPerSecond, latencyUs,
        };
        command.SetAction(parse =>
        {
            var bytes = parse.GetValue(expertBytes);
            if (bytes <= 0)
            {
                throw new PlanningInputException("--expert-bytes", Invariant($"must be a positive number of bytes, got {bytes}"));
            }

            var outDir = parse.GetValue(output)!;
            var link = Link(HardwareSpec.Load(parse.GetValue(hardware)!, "--hardware"), parse.GetValue(chunkBytes), parse.GetValue(bytesPerSecond), parse.GetValue(latencyUs));
            var planJson = CommonOptions.ReadInput("--plan", parse.GetValue(plan)!);
            var placements = BalancePlanJson.ReadPlacements(planJson, "plan");
            var ranks = Ranks(planJson);
            var previousPlacements = parse.GetValue(previous) is { } previousPath
                ? BalancePlanJson.ReadPlacements(CommonOptions.ReadInput("--previous", previousPath))
                : (ImmutableArray<ImmutableArray<ExpertInstance>>?)null;
            if (previousPlacements is { } earlier && earlier.Length != placements.Length)
            {
                throw new PlanningInputException("--previous", Invariant($"has {earlier.Length} layers, but the plan has {placements.Length}"));
            }

            var sync = WeightSyncRun.Plan(placements, previousPlacements, ranks, bytes, link);
            WriteDirectory(outDir, sync);
            io.Out.WriteLine(Invariant(
                $"sync: {sync.Programs.Ranks} ranks, {sync.Transfers.Length} expert transfers, {sync.Programs.GroupCount} groups, {sync.Programs.TotalBytes} bytes, predicted {sync.Schedule?.PredictedSeconds ?? 0:0.000000} s; wrote {outDir}"));
            return 0;
        });
        return command;
    }

    private static LinkModel Link(HardwareSpec hardware, long? chunkBytes, double? bytesPerSecond, double? latencyUs)
    {
        var link = hardware.Link(hardware.ScaleUpLink);
        if (chunkBytes is { } chunk && chunk <= 0)
        {
            throw new PlanningInputException("--chunk-bytes", Invariant($"must be a positive number of bytes, got {chunk}"));
        }

        if (bytesPerSecond is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
        {
            throw new PlanningInputException("--bytes-per-second", Invariant($"must be a positive finite number, got {rate}"));
        }

        if (latencyUs is { } latency && (!(latency > 0) || double.IsInfinity(latency)))
        {
            throw new PlanningInputException("--latency-us", Invariant($"must be a positive finite number of microseconds, got {latency}"));
        }

        if (link.Shared)
        {
            throw new PlanningInputException("--hardware", $"hardware \"{hardware.Name}\"'s scale-up link is a shared medium, which the relay model does not describe");
        }

        var model = LinkModel.From(link);
        return new LinkModel(
            bytesPerSecond ?? model.OutboundBytesPerSecond,
            bytesPerSecond ?? model.InboundBytesPerSecond,
            latencyUs is { } us ? us / 1e6 : model.LatencySeconds,
            chunkBytes ?? model.ChunkBytes);
    }

    /// <summary>The number of ranks: the length of every layer's <c>rankLoads</c>.</summary>
    private static int Ranks(string planJson)
    {
        using var document = JsonDocument.Parse(planJson);
        var ranks = -1;
        var l = 0;
        foreach (var layer in document.RootElement.GetProperty("layers").EnumerateArray())
        {
            var field = Invariant($"plan.layers[{l}].rankLoads");
            if (!layer.TryGetProperty("rankLoads", out var loads) || loads.ValueKind != JsonValueKind.Array || loads.GetArrayLength() == 0)
            {
                throw new PlanningInputException(field, "is required: one load per rank (the output of plan moe balance --format json)");
            }

            if (ranks >= 0 && loads.GetArrayLength() != ranks)
            {
                throw new PlanningInputException(field, Invariant($"has {loads.GetArrayLength()} ranks, but layer 0 has {ranks}"));
            }

            ranks = loads.GetArrayLength();
            l++;
        }

        return ranks > 0 ? ranks : throw new PlanningInputException("plan.layers", "must hold at least one layer");
    }

    /// <summary>Writes the programs into a staging directory beside <paramref name="outDir"/> and then swaps it in, so that an error leaves nothing half-written.</summary>
    private static void WriteDirectory(string outDir, WeightSyncRun sync)
    {
        var full = Path.GetFullPath(outDir);
        if (File.Exists(full))
        {
            throw new PlanningInputException("--out", $"is a file, not a directory: {outDir}");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, ManifestFile)))
        {
            throw new PlanningInputException("--out", $"exists and holds files that are not weight-sync programs (no {ManifestFile}); name a new or empty directory: {outDir}");
        }

        var suffix = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var staging = full.TrimEnd(Path.DirectorySeparatorChar) + ".staging-" + suffix;
        var old = full.TrimEnd(Path.DirectorySeparatorChar) + ".old-" + suffix;
        try
        {
            Directory.CreateDirectory(staging);
            for (var rank = 0; rank < sync.Programs.Ranks; rank++)
            {
                File.WriteAllBytes(Path.Combine(staging, WeightSyncRun.ProgramFile(rank)), sync.ProgramJson(rank));
            }

            File.WriteAllBytes(Path.Combine(staging, ManifestFile), sync.ManifestJson());
            if (Directory.Exists(full))
            {
                Directory.Move(full, old);
            }

            Directory.Move(staging, full);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            if (Directory.Exists(old))
            {
                if (Directory.Exists(full))
                {
                    Directory.Delete(old, recursive: true);
                }
                else
                {
                    Directory.Move(old, full);
                }
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
