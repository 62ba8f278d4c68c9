using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Planning.Execution.Adapters.Rollout;
using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan rollout export</c>: Heddle's instance layout and initial trajectory placement for a trace, as a launch
/// manifest and the trajectory-to-instance map in SGLang Model Gateway's or verl's form.
/// </summary>
internal static class RolloutExportCommand
{
    public static Command Create(ConsoleIo io)
    {
        var trace = new Option<string?>("--trace") { Description = "The trace (TRACE.jsonl, see docs/contracts.md); or generate one with --family" };
        var family = new Option<string?>("--family") { Description = $"Generate the trace from a family: {string.Join(" | ", RolloutTraceFamilies.Names)}" };
        var prompts = new Option<int>("--prompts") { Description = "Generated trace: prompts (default 64)", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--samples") { Description = "Generated trace: samples per prompt (default 16)", DefaultValueFactory = _ => 16 };
        var policy = new Option<string>("--policy") { Description = "Policy: heddle (the only one with an initial placement; default heddle)", DefaultValueFactory = _ => "heddle" };
        var format = new Option<string>("--format") { Description = $"Router form: {string.Join(" | ", RolloutRouterFormats.Names)}", Required = true };
        var gpus = new Option<int>("--gpus") { Description = "GPU budget (default 64)", DefaultValueFactory = _ => 64 };
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(" | ", RolloutSetup.ModelNames)} (default 8b)", DefaultValueFactory = _ => "8b" };
        var hardware = new Option<string>("--hardware") { Description = "Hardware: h100 or a hardware JSON file (default h100)", DefaultValueFactory = _ => "h100" };
        var costModel = RolloutSetup.CostModelOption();
        var trainFamily = new Option<string?>("--train-family") { Description = "Family of the predictor's training trace (default: --family, else longtail)" };
        var host = new Option<string>("--host") { Description = "Host of the workers' URLs (default 127.0.0.1)", DefaultValueFactory = _ => "127.0.0.1" };
        var basePort = new Option<int>("--base-port") { Description = "Port of instance 0; instance i listens on base + i (default 30000)", DefaultValueFactory = _ => 30000 };
        var output = new Option<string?>("--output", "-o") { Description = "Write the JSON here (default: stdout)" };
        var maxContext = RolloutSetup.MaxContextOption();
        var seed = CommonOptions.Seed();
        var command = new Command("export", "Write Heddle's instance layout and initial trajectory placement as router configuration (SGLang Model Gateway or verl)")
        {
            trace, family, prompts, samples, policy, format, gpus, model, hardware, costModel, trainFamily, host, basePort, maxContext, output, seed,
        };
        command.SetAction(parse =>
        {
            var policyName = parse.GetValue(policy);
            if (policyName != "heddle")
            {
                throw new PlanningInputException("--policy", $"must be heddle (the policy that places trajectories before they run), got \"{policyName}\"");
            }

            var formatName = parse.GetValue(format);
            if (!RolloutRouterFormats.TryParse(formatName, out var chosen))
            {
                throw new PlanningInputException("--format", $"must be one of {string.Join(", ", RolloutRouterFormats.Names)}, got \"{formatName}\"");
            }

            var port = parse.GetValue(basePort);
            if (port is < 1 or > 65535)
            {
                throw new PlanningInputException("--base-port", string.Create(CultureInfo.InvariantCulture, $"must be a port in 1..65535, got {port}"));
            }

            var spec = RolloutSetup.Hardware(parse.GetValue(hardware)!, "--hardware");
            var cost = RolloutSetup.CostModel(parse.GetValue(model)!, "--model", spec, InferenceCostModels.Parse(parse.GetValue(costModel), "--cost-model"));
            var budget = parse.GetValue(gpus);
            if (budget < 1)
            {
                throw new PlanningInputException("--gpus", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {budget}"));
            }

            var setup = RolloutSetup.Prepare(new RolloutRequest(parse.GetValue(trace), parse.GetValue(family), parse.GetValue(prompts), parse.GetValue(samples), parse.GetValue(seed), parse.GetValue(trainFamily)) { MaxContextTokens = parse.GetValue(maxContext) });
            var planner = HeddlePlanner.Fit(setup.TrainingTrace, HeddleOptions.Default);
            RolloutRouterPlan plan;
            try
            {
                plan = RolloutRouterExport.Plan(setup.Trace, budget, cost, new HeddleRolloutPolicy(planner), setup.Configure(new RolloutSimulationOptions { Hardware = spec }));
            }
            catch (PlanningInputException error) when (error.Field == "gpus")
            {
                throw new PlanningInputException("--gpus", error.Problem);
            }

            var hostName = parse.GetValue(host)!;
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream =>
                {
                    using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                    RolloutRouterExport.Write(writer, plan, chosen, hostName, port);
                });
            }
            else
            {
                Format.WriteJson(io, writer => RolloutRouterExport.Write(writer, plan, chosen, hostName, port));
            }

            io.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"export: {plan.Policy} on {setup.Describe()}: {plan.Instances.Length} instances (TP {string.Join("+", plan.Instances.Select(i => i.TensorParallel))}) on {budget} GPUs; the map is the initial placement (later migrations are not in it)"));
            return 0;
        });
        return command;
    }
}
