using System.Text.Json;
using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Cli.Tests;

/// <summary><c>plan rollout simulate</c>: the JSON contract, trace files, every policy, the plot and bad input.</summary>
public sealed class RolloutSimulateCommandTests : IDisposable
{
    // 32 trajectories on 8 GPUs keep each run well under a second.
    private static readonly string[] Small = ["rollout", "simulate", "--family", "skewed", "--prompts", "4", "--samples", "8", "--gpus", "8", "--seed", "3"];

    private readonly PlanRunner.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary><see cref="Small"/> with one option's value replaced or added.</summary>
    private static string[] With(string option, string value)
    {
        var args = Small.ToList();
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        return [.. args];
    }

    private static JsonElement Json(params string[] args)
    {
        var (code, output, error) = PlanRunner.Run([.. args, "--format", "json"]);
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    [Theory]
    [InlineData("heddle")]
    [InlineData("slime")]
    [InlineData("slime-nocache")]
    [InlineData("verl")]
    [InlineData("fcfs")]
    public void Simulate_Json_HasTheContractFieldsAndConservesTokens(string policy)
    {
        var root = Json([.. Small, "--policy", policy]);

        Assert.StartsWith(policy, root.GetProperty("policy").GetString(), StringComparison.Ordinal);
        Assert.Equal("8b", root.GetProperty("model").GetString());
        Assert.Equal(8, root.GetProperty("gpus").GetInt32());
        Assert.Equal(32, root.GetProperty("trajectories").GetInt32());
        var makespan = root.GetProperty("makespanSeconds").GetDouble();
        var total = root.GetProperty("totalOutputTokens").GetInt64();
        Assert.Equal(total / makespan, root.GetProperty("tokensPerSecond").GetDouble(), 6);
        Assert.True(root.GetProperty("p99QueueSeconds").GetDouble() >= 0);
        Assert.True(makespan >= root.GetProperty("lowerBoundSeconds").GetDouble());
        Assert.Equal(total, root.GetProperty("counters").GetProperty("generatedTokens").GetInt64());
        var degrees = root.GetProperty("instanceDegrees").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        Assert.True(degrees.Sum() <= 8);
        Assert.Equal(degrees.Length, root.GetProperty("instances").GetArrayLength());
        Assert.All(root.GetProperty("instances").EnumerateArray(), i => Assert.True(i.GetProperty("peakKvTokens").GetInt64() <= i.GetProperty("kvCapacityTokens").GetInt64()));
    }

    [Fact]
    public void Simulate_Heddle_ReportsItsPredictorOnTheSimulatedTraceHeldOutFromTraining()
    {
        // Oracle: the library's evaluation of a predictor fitted on the training trace the command names (another seed).
        var root = Json([.. Small, "--policy", "heddle"]);
        var training = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 64, 16, 3 + HeddlePlanner.TrainingSeedOffset);
        var predictor = ProgressiveRemainingWorkPredictor.Train(training.Trajectories);
        var expected = PredictorEvaluation.Evaluate(predictor, RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 4, 8, 3), [0, 1, 2, 4, 8]);

        Assert.Equal(Invariant($"skewed 64x16 seed {3 + HeddlePlanner.TrainingSeedOffset}"), root.GetProperty("predictorTrainedOn").GetString());
        var reported = root.GetProperty("predictor").EnumerateArray().ToArray();
        Assert.Equal(expected.Checkpoints.Length, reported.Length);
        for (var i = 0; i < reported.Length; i++)
        {
            var checkpoint = expected.Checkpoints[i];
            Assert.Equal(checkpoint.CompletedTurns, reported[i].GetProperty("completedTurns").GetInt32());
            Assert.Equal(checkpoint.Trajectories, reported[i].GetProperty("trajectories").GetInt32());
            Assert.Equal(checkpoint.SpearmanCorrelation, reported[i].GetProperty("spearman").GetDouble(), 12);
            Assert.Equal(checkpoint.TailRecall, reported[i].GetProperty("tailRecall").GetDouble(), 12);
        }

        Assert.Equal(32, reported[0].GetProperty("trajectories").GetInt32());
        Assert.False(Json([.. Small, "--policy", "slime"]).TryGetProperty("predictor", out _));
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Simulate_TraceFileOfTheGeneratedTrace_SameResultAsTheFamily()
    {
        var path = _dir.File("trace.jsonl");
        File.WriteAllText(path, RolloutTraceJson.Serialize(RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 4, 8, 3)));

        var generated = Json([.. Small, "--policy", "verl"]);
        var fromFile = Json("rollout", "simulate", "--trace", path, "--train-family", "skewed", "--gpus", "8", "--seed", "3", "--policy", "verl");

        Assert.Equal(generated.GetProperty("makespanSeconds").GetDouble(), fromFile.GetProperty("makespanSeconds").GetDouble());
        Assert.Equal(generated.GetProperty("totalOutputTokens").GetInt64(), fromFile.GetProperty("totalOutputTokens").GetInt64());
        Assert.Equal("trace.jsonl", fromFile.GetProperty("trace").GetString());
    }

    [Theory]
    [InlineData("heddle", "all", "modern")]
    [InlineData("heddle", "priority,migration", "splitwise")]
    [InlineData("verl", "all", "modern")]
    [InlineData("verl", "all", "splitwise")]
    public void Simulate_LibraryPathSameSeed_IdenticalJson(string policy, string mechanisms, string costModel)
    {
        // The command against the public library API alone: the training-trace convention, HeddlePlanner.Fit with the
        // default options (the measured Heddle), the cost model by its name, the simulator and the library's JSON writer.
        var (code, output, error) = PlanRunner.Run(
            "rollout", "simulate", "--family", "skewed", "--prompts", "8", "--samples", "8", "--gpus", "16", "--policy", policy, "--mechanisms", mechanisms, "--cost-model", costModel, "--seed", "3", "--format", "json");
        Assert.True(code == 0, error);

        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Skewed, 8, 8, 3);
        IInferenceCostModel cost = costModel == "modern" ? ModernCostModel.ForModel("8b") : CalibratedCostModel.ForModel("8b");
        HeddlePlanner? planner = policy == "heddle"
            ? HeddlePlanner.Fit(HeddlePlanner.GenerateTrainingTrace(RolloutTraceFamily.Skewed, 3).Trajectories, HeddleOptions.Default with { Mechanisms = HeddleMechanismNames.Parse(mechanisms) })
            : null;
        var evaluation = planner?.EvaluatePredictor(trace);
        var result = new RolloutSimulator(cost).Simulate(trace.Trajectories, 16, RolloutPolicies.Create(policy, planner));
        var report = new RolloutSimulationReport(result, RolloutLowerBound.Compute(trace.Trajectories, 16, cost), RolloutTraceGenerator.Describe(RolloutTraceFamily.Skewed, 8, 8, 3), 3)
        {
            Mechanisms = planner?.Mechanisms,
            PredictorTrainedOn = planner is null ? null : HeddlePlanner.DescribeTrainingTrace(RolloutTraceFamily.Skewed, 3),
            Predictor = evaluation,
        };

        Assert.Equal(output.TrimEnd('\n'), RolloutSimulationJson.Serialize(report));
        Assert.Contains(policy == "heddle" ? "\"predictorTrainedOn\": \"skewed 64x16 seed 7922\"" : "\"policy\": \"verl\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_CostModel_DefaultIsModern_SplitwiseIsSlower()
    {
        // The 2023 engine of the Splitwise fit is slower than today's at every batch an 8B instance runs (docs/benchmarks.md,
        // "Heddle cost model `modern`"), so the same trace under the same policy takes longer, and so does its lower bound.
        var standard = Json([.. Small, "--policy", "verl"]);
        var modern = Json([.. Small, "--policy", "verl", "--cost-model", "modern"]);
        var splitwise = Json([.. Small, "--policy", "verl", "--cost-model", "splitwise"]);

        Assert.Equal(standard.GetRawText(), modern.GetRawText());
        Assert.True(splitwise.GetProperty("makespanSeconds").GetDouble() > modern.GetProperty("makespanSeconds").GetDouble());
        Assert.True(splitwise.GetProperty("lowerBoundSeconds").GetDouble() > modern.GetProperty("lowerBoundSeconds").GetDouble());
        Assert.Equal(splitwise.GetProperty("totalOutputTokens").GetInt64(), modern.GetProperty("totalOutputTokens").GetInt64());
    }

    [Fact]
    public void Simulate_SameSeed_SameJson()
    {
        var first = PlanRunner.Run([.. Small, "--format", "json"]);
        var second = PlanRunner.Run([.. Small, "--format", "json"]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void Simulate_HeddleWithoutMechanisms_NamesTheAblation()
    {
        var root = Json([.. Small, "--policy", "heddle", "--mechanisms", "none"]);

        Assert.Equal("heddle[none]", root.GetProperty("policy").GetString());
        Assert.Equal("none", root.GetProperty("mechanisms").GetString());
        Assert.Equal(0, root.GetProperty("counters").GetProperty("migrations").GetInt32());
        Assert.Equal(0, root.GetProperty("counters").GetProperty("preemptions").GetInt32());
    }

    [Fact]
    public void Simulate_Table_PrintsTheSummary()
    {
        var (code, output, error) = PlanRunner.Run([.. Small, "--policy", "slime"]);

        Assert.True(code == 0, error);
        Assert.Contains("slime on 8b, 8 GPUs, skewed 4x8 seed 3 (32 trajectories", output, StringComparison.Ordinal);
        Assert.Contains("output tokens); cost model modern", output, StringComparison.Ordinal);
        Assert.Contains("makespan / bound", output, StringComparison.Ordinal);
        Assert.Contains("re-prefills", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_Plot_WritesAPng()
    {
        var path = _dir.File("gantt.png");

        var (code, _, error) = PlanRunner.Run([.. Small, "--policy", "heddle", "--plot", path]);

        Assert.True(code == 0, error);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
    }

    [Theory]
    [InlineData(new[] { "--gpus", "0" }, "--gpus: must be at least 1, got 0")]
    [InlineData(new[] { "--policy", "magic" }, "--policy: must be one of heddle, slime, slime-nocache, verl, fcfs, got \"magic\"")]
    [InlineData(new[] { "--mechanisms", "priority,luck" }, "--mechanisms: must list mechanisms among priority, placement, migration, resources")]
    [InlineData(new[] { "--model", "7t" }, "--model: must be one of")]
    [InlineData(new[] { "--family", "zipf" }, "--family: must be one of balanced, longtail, skewed, agentic, mixed, got \"zipf\"")]
    [InlineData(new[] { "--cost-model", "roofline" }, "--cost-model: must be one of modern, splitwise, got \"roofline\"")]
    [InlineData(new[] { "--plot", "out.svg" }, "--plot: must name a .png file")]
    [InlineData(new[] { "--max-batch", "0" }, "--max-batch: must be at least 1, got 0")]
    [InlineData(new[] { "--regroup-every", "-1" }, "--regroup-every: must be a finite number of seconds, 0 or more, got -1")]
    [InlineData(new[] { "--degree", "-1" }, "--degree: must be 0 (the equal-TP rule) or a tensor-parallel degree, got -1")]
    [InlineData(new[] { "--degree", "2" }, "--degree: applies to the equal-TP layout; heddle's resource manager chooses its own degrees")]
    [InlineData(new[] { "--hardware", "tpu" }, "--hardware: must be one of h800, nvl72, h100, core-ultra-5-125h or a JSON file, got \"tpu\"")]
    [InlineData(new[] { "--hardware", "missing.json" }, "--hardware: file not found: missing.json")]
    [InlineData(new[] { "--hardware", "core-ultra-5-125h" }, "--hardware: hardware \"core-ultra-5-125h\" cannot run rollout instances (hardware.devices: must be one kind of GPU")]
    [InlineData(new[] { "--hardware", "h800" }, "--hardware: hardware \"h800\" cannot run rollout instances (hardware.links.pcie: is required here")]
    public void Simulate_BadOption_ExitsTwoNamingIt(string[] bad, string expected)
    {
        var (code, output, error) = PlanRunner.Run(With(bad[0], bad[1]));

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    /// <summary>The embedded h100's figures as a user's file, with the network link's bandwidth given.</summary>
    private static string H100File(string network) => $$"""
        {
          "name": "my-h100",
          "devices": [ { "name": "H100-80GB SXM", "kind": "gpu", "count": 8, "peakFlops": 989e12, "memoryBytes": 80e9, "memoryBytesPerSecond": 3.35e12 } ],
          "links": {
            "nvlink": { "bytesPerSecond": 450e9, "latencySeconds": 5e-6 },
            "network": { "bytesPerSecond": {{network}}, "latencySeconds": 5e-6 },
            "pcie": { "bytesPerSecond": 25e9, "latencySeconds": 5e-6 }
          }
        }
        """;

    [Fact]
    public void Simulate_HardwareFileWithTheH100Figures_SameJsonAsTheEmbeddedH100()
    {
        var path = _dir.File("my-h100.json");
        File.WriteAllText(path, H100File("25e9"));

        var (code, fromFile, error) = PlanRunner.Run([.. Small, "--policy", "heddle", "--hardware", path, "--format", "json"]);
        var (_, embedded, _) = PlanRunner.Run([.. Small, "--policy", "heddle", "--hardware", "h100", "--format", "json"]);
        var (_, standard, _) = PlanRunner.Run([.. Small, "--policy", "heddle", "--format", "json"]);

        Assert.True(code == 0, error);
        Assert.Equal(standard, embedded);
        Assert.Equal(standard, fromFile);
    }

    [Fact]
    public void Simulate_HardwareFileWithABadFigure_ExitsTwoNamingTheField()
    {
        var path = _dir.File("bad.json");
        File.WriteAllText(path, H100File("-1"));

        var (code, output, error) = PlanRunner.Run([.. Small, "--hardware", path]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: hardware.links.network.bytesPerSecond: must be a positive number, got -1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verl", 2)] // volcengine/verl examples/grpo_trainer/run_qwen3-8b_reorder.sh: gen_tp=2
    [InlineData("slime-nocache", 1)] // THUDM/slime scripts/run-llama3.1-8B.sh: --rollout-num-gpus-per-engine 1
    public void Simulate_BaselineWithoutADegree_RunsAtItsRecipesDegree(string policy, int degree)
    {
        var root = Json([.. Small, "--policy", policy]);

        Assert.All(root.GetProperty("instanceDegrees").EnumerateArray(), d => Assert.Equal(degree, d.GetInt32()));
        Assert.Equal(8 / degree, root.GetProperty("instanceDegrees").GetArrayLength());
    }

    [Fact]
    public void Simulate_BaselineAtAFixedDegree_RunsEveryInstanceAtIt()
    {
        var root = Json([.. Small, "--policy", "slime", "--degree", "4"]);

        Assert.Equal([4, 4], root.GetProperty("instanceDegrees").EnumerateArray().Select(d => d.GetInt32()).ToArray());
        Assert.Equal(32, root.GetProperty("trajectories").GetInt32());
    }

    [Theory]
    [InlineData("3", "--degree: must be one of 8b's degrees within 8 GPUs (1, 2, 4, 8), got 3")]
    [InlineData("16", "--degree: must be one of 8b's degrees within 8 GPUs (1, 2, 4, 8), got 16")]
    public void Simulate_BaselineAtADegreeTheModelLacks_ExitsTwoNamingDegree(string degree, string expected)
    {
        var (code, output, error) = PlanRunner.Run([.. Small, "--policy", "verl", "--degree", degree]);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_NoTraceNorFamily_ExitsTwoNamingTrace()
    {
        var (code, _, error) = PlanRunner.Run("rollout", "simulate", "--gpus", "8");

        Assert.Equal(2, code);
        Assert.Contains("--trace: is required unless --family generates a trace", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_BadTraceLine_ExitsTwoNamingTheField()
    {
        var path = _dir.File("bad.jsonl");
        File.WriteAllText(path, """{ "id": "t1", "group": "g1", "promptTokens": 10, "outputTokens": [5, 0], "observationTokens": [3], "toolSeconds": [0.5] }""" + "\n");

        var (code, output, error) = PlanRunner.Run("rollout", "simulate", "--trace", path, "--gpus", "8");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("outputTokens[1]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_FewerGpusThanOneInstanceNeeds_ExitsTwoNamingGpus()
    {
        var (code, _, error) = PlanRunner.Run("rollout", "simulate", "--family", "balanced", "--prompts", "1", "--samples", "2", "--gpus", "1", "--model", "70b", "--policy", "slime");

        Assert.Equal(2, code);
        Assert.Contains("gpus", error, StringComparison.Ordinal);
    }
}
