using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Planning.Execution.Moe;
using Planning.Execution.Moe.ReLibra;
using Planning.Graph;
using Planning.Moe;
using Planning.Moe.ReLibra;
using Planning.Moe.UltraEp;
using Planning.Moe.Workloads;
using Planning.Solving;
using ScottPlot;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan relibra generate</c>, <c>plan relibra import</c>, <c>plan relibra plan</c> and <c>plan relibra simulate</c>: MoE balancing for RL training from routing replay.</summary>
internal static class ReLibraCommands
{
    private const string RlFamily = "rl";

    public static Command Create(ConsoleIo io) => new("relibra", "ReLibra: MoE balancing for RL training from routing replay")
    {
        Generate(io),
        Import(io),
        PlanCommand(io),
        Simulate(io),
    };

    /// <summary>Reads a replay file: the binary form when it starts with its magic, else JSON Lines.</summary>
    internal static RoutingReplay ReadReplay(string option, string path)
    {
        if (!File.Exists(path))
        {
            throw new PlanningInputException(option, $"file not found: {path}");
        }

        var bytes = File.ReadAllBytes(path);
        if (RoutingReplayBinary.IsBinary(bytes))
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return RoutingReplayBinary.Read(stream);
        }

        return RoutingReplayJson.ReadLines(Encoding.UTF8.GetString(bytes));
    }

    private static Command Generate(ConsoleIo io)
    {
        var defaults = RoutingReplaySettings.Default;
        var output = new Option<string?>("--output", "-o") { Description = "Write the replay to this file (default: JSON Lines on stdout)" };
        var binary = new Option<bool>("--binary") { Description = "Write the compact binary form (needs --output)" };
        var ranks = new Option<int>("--ranks") { Description = "Ranks (default 128)", DefaultValueFactory = _ => defaults.Ranks };
        var ranksPerNode = new Option<int>("--ranks-per-node") { Description = "Ranks per node, also the scale-up domain (default 8)", DefaultValueFactory = _ => defaults.RanksPerNode };
        var expertsPerRank = new Option<int>("--experts-per-rank") { Description = "Master experts per rank (default 2)", DefaultValueFactory = _ => defaults.ExpertsPerRank };
        var slots = new Option<int>("--redundant-slots") { Description = "Redundant slots per rank (default 2)", DefaultValueFactory = _ => defaults.RedundantSlotsPerRank };
        var layers = new Option<int>("--layers") { Description = "Layers (default 1)", DefaultValueFactory = _ => defaults.Layers };
        var batches = new Option<int>("--batches") { Description = "Batches (default 2)", DefaultValueFactory = _ => defaults.Batches };
        var microbatches = new Option<int>("--microbatches") { Description = "Microbatches per batch (default 8)", DefaultValueFactory = _ => defaults.Microbatches };
        var tokens = new Option<int>("--tokens-per-rank") { Description = "Tokens per rank per microbatch (default 4096)", DefaultValueFactory = _ => defaults.TokensPerRank };
        var topK = new Option<int>("--top-k") { Description = "Experts per token (default 8)", DefaultValueFactory = _ => defaults.TopK };
        var hotShare = new Option<double>("--hot-share") { Description = "Mean share of a prompt's routing to its theme's hot set (default 0.5)", DefaultValueFactory = _ => defaults.HotShare };
        var seed = CommonOptions.Seed();
        var command = new Command("generate", "Generate an RL-like routing replay (hot sets shifting across microbatches, per-prompt skew, long-tailed lengths)")
        {
            output, binary, ranks, ranksPerNode, expertsPerRank, slots, layers, batches, microbatches, tokens, topK, hotShare, seed,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output);
            if (parse.GetValue(binary) && path is null)
            {
                throw new PlanningInputException("--binary", "needs --output: the binary form is not written to a terminal");
            }

            var replay = RoutingReplayGenerator.Generate(new RoutingReplaySettings
            {
                Ranks = parse.GetValue(ranks),
                RanksPerNode = parse.GetValue(ranksPerNode),
                ExpertsPerRank = parse.GetValue(expertsPerRank),
                RedundantSlotsPerRank = parse.GetValue(slots),
                Layers = parse.GetValue(layers),
                Batches = parse.GetValue(batches),
                Microbatches = parse.GetValue(microbatches),
                TokensPerRank = parse.GetValue(tokens),
                TopK = parse.GetValue(topK),
                HotShare = parse.GetValue(hotShare),
                Seed = parse.GetValue(seed),
            });
            WriteReplay(io, "generate", replay, path, parse.GetValue(binary));
            return 0;
        });
        return command;
    }

    private static Command Import(ConsoleIo io)
    {
        var defaults = new RoutedExpertsLayout();
        var input = new Option<string>("--input") { Description = "SGLang responses, one sequence a line, each with meta_info.routed_experts (start SGLang with --enable-return-routed-experts)", Required = true };
        var format = new Option<string>("--format") { Description = "The input's format: sglang (the only one)", DefaultValueFactory = _ => "sglang" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the replay to this file (default: JSON Lines on stdout)" };
        var binary = new Option<bool>("--binary") { Description = "Write the compact binary form (needs --output)" };
        var ranks = new Option<int>("--ranks") { Description = "Expert-parallel ranks, each training its own sequences (default 128)", DefaultValueFactory = _ => defaults.Ranks };
        var ranksPerNode = new Option<int>("--ranks-per-node") { Description = "Ranks per node (default 8)", DefaultValueFactory = _ => defaults.RanksPerNode };
        var expertsPerRank = new Option<int>("--experts-per-rank") { Description = "Master experts per rank: the model's routed experts over the ranks (default 2)", DefaultValueFactory = _ => defaults.ExpertsPerRank };
        var slots = new Option<int>("--redundant-slots") { Description = "Redundant slots per rank (default 2)", DefaultValueFactory = _ => defaults.RedundantSlotsPerRank };
        var hiddenLayers = new Option<int>("--hidden-layers") { Description = "The model's num_hidden_layers: the arrays' second axis (default 61, DeepSeek-V3)", DefaultValueFactory = _ => defaults.HiddenLayers };
        var topK = new Option<int>("--top-k") { Description = "The model's num_experts_per_tok: the arrays' third axis (default 8)", DefaultValueFactory = _ => defaults.TopK };
        var dense = new Option<int>("--first-dense-layers") { Description = "Leading dense layers to drop (first_k_dense_replace; default 3, DeepSeek-V3)", DefaultValueFactory = _ => defaults.FirstDenseLayers };
        var microbatches = new Option<int>("--microbatches") { Description = "Microbatches per rank and batch (default 8)", DefaultValueFactory = _ => defaults.Microbatches };
        var perBatch = new Option<int>("--sequences-per-batch") { Description = "Sequences per training batch, in file order (default 0: all in one batch)", DefaultValueFactory = _ => defaults.SequencesPerBatch };
        var command = new Command("import", "Build a routing replay from a rollout engine's routed experts (SGLang's return_routed_experts): sequences packed onto ranks and microbatches longest first")
        {
            input, format, output, binary, ranks, ranksPerNode, expertsPerRank, slots, hiddenLayers, topK, dense, microbatches, perBatch,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output);
            if (parse.GetValue(binary) && path is null)
            {
                throw new PlanningInputException("--binary", "needs --output: the binary form is not written to a terminal");
            }

            if (parse.GetValue(format) is var name && name != "sglang")
            {
                throw new PlanningInputException("--format", $"must be sglang, got \"{name}\"");
            }

            var layout = new RoutedExpertsLayout
            {
                Ranks = parse.GetValue(ranks),
                RanksPerNode = parse.GetValue(ranksPerNode),
                ExpertsPerRank = parse.GetValue(expertsPerRank),
                RedundantSlotsPerRank = parse.GetValue(slots),
                HiddenLayers = parse.GetValue(hiddenLayers),
                TopK = parse.GetValue(topK),
                FirstDenseLayers = parse.GetValue(dense),
                Microbatches = parse.GetValue(microbatches),
                SequencesPerBatch = parse.GetValue(perBatch),
            };
            try
            {
                layout.Validate();
            }
            catch (PlanningInputException ex)
            {
                // The layout names its fields; the command names its options.
                throw new PlanningInputException(ImportOptionOf(ex.Field), ex.Problem);
            }

            var file = parse.GetValue(input)!;
            if (!File.Exists(file))
            {
                throw new PlanningInputException("--input", $"file not found: {file}");
            }

            RoutingReplay replay;
            using (var reader = File.OpenText(file))
            {
                replay = RoutedExpertsImport.ReadSglang(reader, layout);
            }

            WriteReplay(io, "import", replay, path, parse.GetValue(binary));
            return 0;
        });
        return command;
    }

    /// <summary>Writes a replay as JSON Lines to stdout, or to a file (atomically; the binary form when asked) with a line on stderr.</summary>
    private static void WriteReplay(ConsoleIo io, string verb, RoutingReplay replay, string? path, bool binary)
    {
        if (path is null)
        {
            io.Out.Write(RoutingReplayJson.SerializeLines(replay));
            return;
        }

        Action<Stream> write = binary ? stream => RoutingReplayBinary.Write(stream, replay) : stream => RoutingReplayJson.WriteLines(stream, replay);
        CommonOptions.WriteAtomically(path, write);
        io.Error.WriteLine(Invariant($"{verb}: wrote {replay.Microbatches.Length} microbatch(es) in {replay.Batches.Length} batch(es), {replay.Layers} MoE layer(s), to {path}"));
    }

    private static string ImportOptionOf(string field) => field switch
    {
        "ranks" => "--ranks",
        "ranksPerNode" => "--ranks-per-node",
        "expertsPerRank" => "--experts-per-rank",
        "redundantSlotsPerRank" => "--redundant-slots",
        "hiddenLayers" => "--hidden-layers",
        "topK" => "--top-k",
        "firstDenseLayers" => "--first-dense-layers",
        "microbatches" => "--microbatches",
        "sequencesPerBatch" => "--sequences-per-batch",
        _ => field,
    };

    private static Command PlanCommand(ConsoleIo io)
    {
        var replayPath = new Option<string>("--replay") { Description = "The routing replay (JSON Lines or the binary form, see docs/contracts.md)", Required = true };
        var batch = new Option<int>("--batch") { Description = "The batch to plan (default 0)", DefaultValueFactory = _ => 0 };
        var penalty = new Option<long>("--move-penalty") { Description = "Penalty per expert moved between nodes, in tokens of node load (default 0)", DefaultValueFactory = _ => 0 };
        var noSolver = new Option<bool>("--heuristic-only") { Description = "Skip CP-SAT: the heuristic's layout and the LP-free bound" };
        var minQuota = new Option<long>("--min-quota") { Description = "Fewest tokens a replica may serve (default 0)", DefaultValueFactory = _ => 0 };
        var previous = new Option<string?>("--previous") { Description = "An earlier output of this command (JSON): its layers' slotExpert are the current layout (default: expert e in slot e)" };
        var timeLimit = CommonOptions.TimeLimit(2);
        var seed = CommonOptions.Seed();
        var workers = new Option<int>("--workers") { Description = "CP-SAT workers (default 1: deterministic for a seed)", DefaultValueFactory = _ => 1 };
        var format = CommonOptions.Format();
        var command = new Command("plan", "Plan a batch: experts reordered across nodes (with bound and gap) and replicas inside nodes per microbatch and layer")
        {
            replayPath, batch, penalty, noSolver, minQuota, previous, timeLimit, seed, workers, format,
        };
        command.SetAction(parse =>
        {
            var replay = ReadReplay("--replay", parse.GetValue(replayPath)!);
            var b = parse.GetValue(batch);
            if ((uint)b >= (uint)replay.Batches.Length)
            {
                throw new PlanningInputException("--batch", Invariant($"must be in [0, {replay.Batches.Length}), got {b}"));
            }

            var options = new ReLibraOptions
            {
                Reordering = new ExpertReorderingOptions
                {
                    MovePenalty = parse.GetValue(penalty),
                    UseSolver = !parse.GetValue(noSolver),
                    Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeLimit)), Seed = parse.GetValue(seed), Workers = parse.GetValue(workers) },
                },
                Replication = new UltraEpOptions { MinReplicaQuota = parse.GetValue(minQuota) },
            }.Validate();
            var layouts = parse.GetValue(previous) is { } previousPath ? ReadLayouts(CommonOptions.ReadInput("--previous", previousPath), replay) : null;
            var plan = ReLibraPlanner.Plan(replay, b, layouts, options);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => WritePlanJson(writer, plan));
            }
            else
            {
                WritePlanTable(io, replay, plan);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Reads each layer's <c>slotExpert</c> from an earlier plan output; errors name the field under <c>--previous</c>.</summary>
    internal static IReadOnlyList<IReadOnlyList<int>> ReadLayouts(string json, RoutingReplay replay)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new PlanningInputException("--previous", Invariant($"malformed JSON at line {(ex.LineNumber ?? 0) + 1}"));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new PlanningInputException("--previous.layers", "must be an array (the output of plan relibra plan --format json)");
            }

            if (layers.GetArrayLength() != replay.Layers)
            {
                throw new PlanningInputException("--previous.layers", Invariant($"must have the replay's {replay.Layers} layer(s), got {layers.GetArrayLength()}"));
            }

            var result = new List<IReadOnlyList<int>>();
            var l = 0;
            foreach (var layer in layers.EnumerateArray())
            {
                var field = Invariant($"--previous.layers[{l}].slotExpert");
                if (layer.ValueKind != JsonValueKind.Object || !layer.TryGetProperty("slotExpert", out var slots) || slots.ValueKind != JsonValueKind.Array)
                {
                    throw new PlanningInputException(field, "must be an array of experts, one per master slot");
                }

                result.Add([.. slots.EnumerateArray().Select((e, s) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var expert) ? expert : throw new PlanningInputException(Invariant($"{field}[{s}]"), "must be an integer expert index"))]);
                l++;
            }

            return result;
        }
    }

    private static void WritePlanJson(Utf8JsonWriter writer, ReLibraPlan plan)
    {
        writer.WriteStartObject();
        writer.WriteNumber("batch", plan.Batch);
        writer.WriteString("objective", "sum over microbatches of the largest node load (tokens) + movePenalty x moved experts");
        writer.WriteStartArray("layers");
        for (var l = 0; l < plan.Reorders.Length; l++)
        {
            var r = plan.Reorders[l];
            writer.WriteStartObject();
            writer.WriteNumber("layer", l);
            writer.WriteString("status", r.Status.ToString().ToLowerInvariant());
            writer.WriteString("source", r.Source switch { ReorderSource.NoMove => "no-move", ReorderSource.Heuristic => "heuristic", _ => "solver" });
            writer.WriteNumber("objective", r.Objective);
            writer.WriteNumber("bound", r.Bound);
            writer.WriteNumber("gap", r.Gap);
            writer.WriteNumber("noMoveObjective", r.NoMoveObjective);
            writer.WriteNumber("heuristicObjective", r.HeuristicObjective);
            writer.WriteNumber("heuristicMilliseconds", r.HeuristicTime.TotalMilliseconds);
            writer.WriteNumber("wallMilliseconds", r.WallTime.TotalMilliseconds);
            WriteArray(writer, "maxNodeLoads", r.MaxNodeLoads.Select(x => x));
            WriteArray(writer, "movedExperts", r.MovedExperts.Select(x => (long)x));
            WriteArray(writer, "slotExpert", r.SlotExpert.Select(x => (long)x));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("microbatches");
        for (var m = 0; m < plan.Replicas.Length; m++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("microbatch", m);
            writer.WriteStartArray("layers");
            for (var l = 0; l < plan.Replicas[m].Length; l++)
            {
                var layer = plan.Replicas[m][l];
                writer.WriteStartObject();
                writer.WriteNumber("layer", l);
                writer.WriteNumber("maxRankLoad", layer.MaxRankLoad);
                writer.WriteNumber("imbalance", layer.Imbalance);
                writer.WriteStartArray("replicas");
                foreach (var instance in layer.Instances.Where(i => i.Rank != plan.Topology.ExpertMaster[i.Expert]))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("slot", instance.Expert);
                    writer.WriteNumber("expert", plan.Reorders[l].SlotExpert[instance.Expert]);
                    writer.WriteNumber("rank", instance.Rank);
                    writer.WriteNumber("quota", instance.Quota);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<long> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WritePlanTable(ConsoleIo io, RoutingReplay replay, ReLibraPlan plan)
    {
        var shape = replay.Shape;
        io.Out.WriteLine(Invariant($"batch {plan.Batch}: {shape.Experts} experts on {shape.Nodes} nodes x {shape.RanksPerNode} ranks, {replay.Batches[plan.Batch].Length} microbatch(es), {replay.Layers} layer(s)"));
        var table = new Table();
        table.AddColumns("layer", "status", "source", "objective", "bound", "gap", "no move", "heuristic", "moved", "heuristic (ms)", "wall (ms)");
        for (var l = 0; l < plan.Reorders.Length; l++)
        {
            var r = plan.Reorders[l];
            table.AddRow(
                Invariant($"{l}"),
                r.Status.ToString().ToLowerInvariant(),
                r.Source.ToString().ToLowerInvariant(),
                Invariant($"{r.Objective}"),
                Invariant($"{r.Bound}"),
                Invariant($"{r.Gap:P2}"),
                Invariant($"{r.NoMoveObjective}"),
                Invariant($"{r.HeuristicObjective}"),
                Invariant($"{r.MovedExperts.Length}"),
                Invariant($"{r.HeuristicTime.TotalMilliseconds:0.00}"),
                Invariant($"{r.WallTime.TotalMilliseconds:0.0}"));
        }

        io.Tables.Write(table);
        var replicas = new Table();
        replicas.AddColumns("microbatch", "layer", "replicas", "max rank load", "imbalance");
        for (var m = 0; m < plan.Replicas.Length; m++)
        {
            for (var l = 0; l < plan.Replicas[m].Length; l++)
            {
                var layer = plan.Replicas[m][l];
                replicas.AddRow(Invariant($"{m}"), Invariant($"{l}"), Invariant($"{layer.Replicas}"), Invariant($"{layer.MaxRankLoad}"), Invariant($"{layer.Imbalance:0.0000}"));
            }
        }

        io.Tables.Write(replicas);
    }

    private static Command Simulate(ConsoleIo io)
    {
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", MoeModelConfig.Names)} or a JSON file", Required = true };
        var hardware = new Option<string>("--hardware") { Description = $"Hardware: {string.Join(" | ", HardwareSpec.Names)} or a hardware JSON file (default h800)", DefaultValueFactory = _ => "h800" };
        var replayPath = new Option<string?>("--replay") { Description = "A routing replay to run (JSON Lines or binary); or use --workload" };
        var workload = new Option<string?>("--workload") { Description = $"Generate the replay: {RlFamily} (RL-like, the default) | {string.Join(" | ", MoeWorkloadFamilies.Names)}" };
        var nodes = new Option<int>("--nodes") { Description = "Nodes for a generated replay (default 16)", DefaultValueFactory = _ => 16 };
        var batches = new Option<int>("--batches") { Description = "Batches of a generated replay (default 2)", DefaultValueFactory = _ => 2 };
        var microbatches = new Option<int>("--microbatches") { Description = "Microbatches per batch of a generated replay (default 8)", DefaultValueFactory = _ => 8 };
        var layers = new Option<int>("--layers") { Description = "Layers of a generated replay (default 1)", DefaultValueFactory = _ => 1 };
        var tokens = new Option<int>("--tokens-per-rank") { Description = "Tokens per rank of a generated replay (default 4096)", DefaultValueFactory = _ => 4096 };
        var imbalance = new Option<double>("--imbalance") { Description = "Target initial imbalance of a generated non-RL family (default 2.0)", DefaultValueFactory = _ => 2.0 };
        var policies = new Option<string>("--policies") { Description = $"Policies to report (default all): {string.Join(",", ReLibraTrainingSimulation.Names)}", DefaultValueFactory = _ => string.Join(",", ReLibraTrainingSimulation.Names) };
        var noSolver = new Option<bool>("--heuristic-only") { Description = "ReLibra's reordering without CP-SAT" };
        var replicasPerMicrobatch = new Option<bool>("--replicas-per-microbatch") { Description = "ultraep and relibra fetch every replica and reduce its gradients every microbatch and layer, instead of keeping replicas in their slots across the batch (the sensitivity check)" };
        var exposedTransfers = new Option<bool>("--exposed-transfers") { Description = "Charge moved experts' optimizer state and evicted replicas' gradients fully exposed, instead of streaming them behind the compute that does not need them (the sensitivity check)" };
        var proportionalRoutes = new Option<bool>("--proportional-routes") { Description = "Route with UltraEP's proportional reroute table (ultraep, relibra) and the dispatcher's local-first rule (eplb, eplb-oracle) instead of spreading the tokens that cross the network over a node's ranks (the ablation)" };
        var alwaysRebalance = new Option<bool>("--always-rebalance") { Description = "relibra reorders and replicates every batch, instead of keeping the current layout or going without replicas where a batch's simulation says that is faster" };
        var timeLimit = CommonOptions.TimeLimit(2);
        var seed = CommonOptions.Seed();
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of the step time per policy" };
        var format = CommonOptions.Format();
        var command = new Command("simulate", "Time training steps (forward + backward) per policy: megatron, eplb, eplb-oracle, ultraep, relibra, ideal")
        {
            model, hardware, replayPath, workload, nodes, batches, microbatches, layers, tokens, imbalance, policies, noSolver, replicasPerMicrobatch, exposedTransfers, proportionalRoutes, alwaysRebalance, timeLimit, seed, plot, format,
        };
        command.SetAction(parse =>
        {
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new PlanningInputException("--plot", $"must name a .png file, got \"{plotPath}\"");
            }

            var modelConfig = MoeModelConfig.Load(parse.GetValue(model)!, "--model");
            var hardwareSpec = HardwareSpec.Load(parse.GetValue(hardware)!, "--hardware");
            var path = parse.GetValue(replayPath);
            var family = parse.GetValue(workload);
            if (path is not null && family is not null)
            {
                throw new PlanningInputException("--workload", "give either --replay or --workload, not both");
            }

            var replay = path is not null
                ? ReadReplay("--replay", path)
                : GenerateReplay(modelConfig, hardwareSpec, family ?? RlFamily, parse.GetValue(nodes), parse.GetValue(batches), parse.GetValue(microbatches), parse.GetValue(layers), parse.GetValue(tokens), parse.GetValue(imbalance), parse.GetValue(seed));
            var cluster = ClusterFor(replay.Shape, hardwareSpec);
            var options = new ReLibraSimulationOptions
            {
                Planner = new ReLibraOptions
                {
                    Reordering = new ExpertReorderingOptions
                    {
                        UseSolver = !parse.GetValue(noSolver),
                        Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeLimit)), Seed = parse.GetValue(seed), Workers = 1 },
                    },
                },
                ReplicasPersistInBatch = !parse.GetValue(replicasPerMicrobatch),
                OverlapTransfers = !parse.GetValue(exposedTransfers),
                SpreadNetworkArrivals = !parse.GetValue(proportionalRoutes),
                GuardEachBatch = !parse.GetValue(alwaysRebalance),
                Progress = new LineProgress(io.Error),
            };
            var result = ReLibraTrainingSimulation.Run(replay, [parse.GetValue(policies)!], modelConfig, cluster, options);
            var png = plotPath is null ? null : RenderPlot(result);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => WriteSimulationJson(writer, result));
            }
            else
            {
                WriteSimulationTable(io, result);
            }

            if (plotPath is not null)
            {
                CommonOptions.WriteAtomically(plotPath, stream => stream.Write(png));
                io.Error.WriteLine($"simulate: wrote {plotPath}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Generates a replay of a model's experts on <paramref name="nodes"/> nodes of the hardware.</summary>
    internal static RoutingReplay GenerateReplay(MoeModelConfig model, HardwareSpec hardware, string family, int nodes, int batches, int microbatches, int layers, int tokensPerRank, double imbalance, int seed)
    {
        if (nodes <= 0)
        {
            throw new PlanningInputException("--nodes", Invariant($"must be positive, got {nodes}"));
        }

        var ranks = nodes * hardware.DevicesPerNode;
        if (model.Experts % ranks != 0)
        {
            throw new PlanningInputException("--nodes", Invariant($"must give a number of ranks ({nodes} x {hardware.DevicesPerNode} = {ranks}) that divides the model's {model.Experts} experts"));
        }

        var expertsPerRank = model.Experts / ranks;
        if (family == RlFamily)
        {
            return RoutingReplayGenerator.Generate(new RoutingReplaySettings
            {
                Ranks = ranks,
                RanksPerNode = hardware.DevicesPerNode,
                ExpertsPerRank = expertsPerRank,
                Layers = layers,
                Batches = batches,
                Microbatches = microbatches,
                TokensPerRank = tokensPerRank,
                TopK = model.TopK,
                Seed = seed,
            });
        }

        if (!MoeWorkloadFamilies.TryParse(family, out var parsed))
        {
            throw new PlanningInputException("--workload", $"must be one of {RlFamily}, {string.Join(", ", MoeWorkloadFamilies.Names)}, got \"{family}\"");
        }

        if (batches <= 0 || microbatches <= 0)
        {
            throw new PlanningInputException(batches <= 0 ? "--batches" : "--microbatches", Invariant($"must be positive, got {Math.Min(batches, microbatches)}"));
        }

        var workload = MoeWorkloadGenerator.Generate(new MoeWorkloadSettings
        {
            Family = parsed,
            Ranks = ranks,
            RanksPerNode = hardware.DevicesPerNode,
            RanksPerDomain = hardware.DevicesPerNode,
            ExpertsPerRank = expertsPerRank,
            Layers = layers,
            TokensPerRank = tokensPerRank,
            TopK = model.TopK,
            TargetImbalance = imbalance,
            Microbatches = batches * microbatches,
            Seed = seed,
        });
        return RoutingReplay.Create(workload.Microbatches.Select((c, i) => new ReplayMicrobatch(i / microbatches, i % microbatches, c)));
    }

    /// <summary>The replay's ranks on the hardware: its nodes, and scale-up domains as large as the hardware's that divide the ranks.</summary>
    internal static ClusterGraph ClusterFor(MoeCase shape, HardwareSpec hardware)
    {
        if (hardware.DevicesPerNode != shape.RanksPerNode)
        {
            throw new PlanningInputException("replay.ranksPerNode", Invariant($"must be the hardware's {hardware.DevicesPerNode} devices per node ({hardware.Name}), got {shape.RanksPerNode}"));
        }

        var domain = shape.RanksPerNode;
        for (var d = shape.RanksPerNode; d <= Math.Min(shape.Ranks, hardware.EffectiveDevicesPerDomain); d += shape.RanksPerNode)
        {
            if (shape.Ranks % d == 0)
            {
                domain = d;
            }
        }

        return ClusterGraph.Build(new ClusterShape(shape.Ranks, shape.RanksPerNode, domain), hardware);
    }

    private static void WriteSimulationJson(Utf8JsonWriter writer, ReLibraSimulationResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("model", result.Model);
        writer.WriteString("hardware", result.Hardware);
        writer.WriteNumber("ranks", result.Ranks);
        writer.WriteNumber("nodes", result.Nodes);
        writer.WriteNumber("batches", result.Batches);
        writer.WriteNumber("microbatches", result.Microbatches);
        writer.WriteNumber("layers", result.Layers);
        writer.WriteNumber("initialImbalance", result.InitialImbalance);
        writer.WriteStartArray("policies");
        foreach (var p in result.Policies)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", p.Policy);
            writer.WriteNumber("stepSeconds", p.StepSeconds);
            writer.WriteNumber("overIdealPercent", result.OverIdealPercent(p));
            writer.WriteNumber("speedupOverMegatron", result.SpeedupOverMegatron(p));
            writer.WriteNumber("computeSeconds", p.ComputeSeconds);
            writer.WriteNumber("allToAllSeconds", p.AllToAllSeconds);
            writer.WriteNumber("replicaSeconds", p.ReplicaSeconds);
            writer.WriteNumber("boundarySeconds", p.BoundarySeconds);
            writer.WriteNumber("bytesMoved", p.BytesMoved);
            writer.WriteNumber("boundaryBytes", p.BoundaryBytes);
            writer.WriteNumber("replicaWeightBytes", p.ReplicaWeightBytes);
            writer.WriteNumber("replicaGradientBytes", p.ReplicaGradientBytes);
            writer.WriteNumber("forwardTokens", p.ForwardTokens);
            writer.WriteNumber("backwardTokens", p.BackwardTokens);
            writer.WriteNumber("meanImbalance", p.MeanImbalance);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSimulationTable(ConsoleIo io, ReLibraSimulationResult result)
    {
        io.Out.WriteLine(Invariant($"{result.Model} on {result.Hardware}: {result.Nodes} nodes, EP{result.Ranks}, {result.Batches} batch(es) of {result.Microbatches / result.Batches} microbatch(es) x {result.Layers} layer(s), initial imbalance {result.InitialImbalance:0.00}"));
        var table = new Table();
        table.AddColumns("policy", "step (ms)", "over ideal", "x megatron", "imbalance", "compute (ms)", "all-to-all (ms)", "replicas (ms)", "boundary (ms)", "moved (GB)");
        foreach (var p in result.Policies)
        {
            table.AddRow(
                p.Policy,
                Invariant($"{p.StepSeconds * 1e3:0.000}"),
                Invariant($"{result.OverIdealPercent(p):0.0}%"),
                Invariant($"{result.SpeedupOverMegatron(p):0.000}"),
                Invariant($"{p.MeanImbalance:0.0000}"),
                Invariant($"{p.ComputeSeconds * 1e3:0.000}"),
                Invariant($"{p.AllToAllSeconds * 1e3:0.000}"),
                Invariant($"{p.ReplicaSeconds * 1e3:0.000}"),
                Invariant($"{p.BoundarySeconds * 1e3:0.000}"),
                Invariant($"{p.BytesMoved / 1e9:0.00}"));
        }

        io.Tables.Write(table);
    }

    private static byte[] RenderPlot(ReLibraSimulationResult result)
    {
        var plot = new Plot();
        PolicyBars.Draw(
            plot,
            [.. result.Policies.Select(p => (p.Policy, p.StepSeconds * 1e3, Invariant($"{p.StepSeconds * 1e3:0.0} ms, x{result.SpeedupOverMegatron(p):0.00}"), p.Policy switch
            {
                "relibra" => PolicyBars.Featured,
                "ideal" => PolicyBars.Ideal,
                "megatron" => PolicyBars.Unbalanced,
                _ => PolicyBars.Other,
            }))],
            Invariant($"Training step per policy: {result.Model} on {result.Hardware}, {result.Nodes} nodes, initial imbalance {result.InitialImbalance:0.00}"));
        return plot.GetImageBytes(1000, 600, ImageFormat.Png);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Progress lines straight to a writer, on the caller's thread.</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
