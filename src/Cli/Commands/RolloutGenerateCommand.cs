using System.CommandLine;
using System.Globalization;
using Planning.Rollout;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan rollout generate</c>: writes a synthetic agentic-RL rollout trace (TRACE.jsonl, see docs/contracts.md) of a
/// named family, optionally with prompt and per-turn output lengths drawn from the Azure LLM inference traces.
/// </summary>
internal static class RolloutGenerateCommand
{
    public static Command Create(ConsoleIo io)
    {
        var defaults = new RolloutTraceGeneratorOptions();
        var family = new Option<string>("--family")
        {
            Description = "Workload family: balanced | longtail (default) | skewed (the heaviest tail: p99/median of output) | agentic (many turns, large observations, long contexts: KV-bound) | mixed (a heavy long-context bulk whose throughput time is comparable to the stragglers' critical path)",
            DefaultValueFactory = _ => RolloutTraceFamilies.Name(RolloutTraceFamily.LongTail),
        };
        var prompts = new Option<int>("--prompts") { Description = "Prompts, one GRPO group each (default 64)", DefaultValueFactory = _ => defaults.Prompts };
        var samples = new Option<int>("--samples") { Description = "Samples per prompt, the GRPO group size (default 16)", DefaultValueFactory = _ => defaults.SamplesPerPrompt };
        var seed = CommonOptions.Seed();
        var azure = new Option<string?>("--azure") { Description = "Draw prompt and per-turn output lengths from an Azure LLM inference trace: conv | code (default: the family's log-normal lengths)" };
        var azureData = new Option<string?>("--azure-data") { Description = "The Azure trace CSV, or the directory holding AzureLLMInferenceTrace_{conv,code}.csv (default: data/azure-llm-2023's files, embedded in the tool)" };
        var output = new Option<string?>("--out", "-o") { Description = "Write the trace to this file (default: stdout)" };
        var command = new Command("generate", "Write a rollout trace (JSON Lines, one trajectory a line): GRPO groups of long-tailed multi-turn trajectories with tool calls")
        {
            family, prompts, samples, seed, azure, azureData, output,
        };
        command.SetAction(parse =>
        {
            var familyName = parse.GetValue(family);
            if (!RolloutTraceFamilies.TryParse(familyName, out var chosen))
            {
                throw new PlanningInputException("--family", $"must be one of {string.Join(", ", RolloutTraceFamilies.Names)}, got \"{familyName}\"");
            }

            var promptCount = AtLeastOne("--prompts", parse.GetValue(prompts));
            var sampleCount = AtLeastOne("--samples", parse.GetValue(samples));
            if ((long)promptCount * sampleCount > 1_000_000)
            {
                throw new PlanningInputException("--prompts", string.Create(CultureInfo.InvariantCulture, $"--prompts x --samples must be at most 1,000,000, got {(long)promptCount * sampleCount}"));
            }

            var options = RolloutTraceGeneratorOptions.ForFamily(chosen) with { Prompts = promptCount, SamplesPerPrompt = sampleCount, Seed = parse.GetValue(seed) };
            RolloutTrace trace;
            string source;
            if (parse.GetValue(azure) is { } kindName)
            {
                var kind = kindName switch
                {
                    "conv" => AzureTraceKind.Conversation,
                    "code" => AzureTraceKind.Code,
                    _ => throw new PlanningInputException("--azure", $"must be conv or code, got \"{kindName}\""),
                };
                var builder = LoadAzure(parse.GetValue(azureData), kind);
                trace = builder.Build(options);
                source = $"{RolloutTraceFamilies.Name(chosen)} with Azure {kindName} lengths ({builder.Source})";
            }
            else
            {
                if (parse.GetValue(azureData) is not null)
                {
                    throw new PlanningInputException("--azure-data", "needs --azure conv or --azure code");
                }

                trace = RolloutTraceGenerator.Generate(options);
                source = RolloutTraceFamilies.Name(chosen);
            }

            var text = RolloutTraceJson.Serialize(trace);
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream =>
                {
                    using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    writer.Write(text);
                });
                io.Out.WriteLine(Summary(trace, source, path));
            }
            else
            {
                io.Out.Write(text);
            }

            return 0;
        });
        return command;
    }

    private static int AtLeastOne(string option, int value) =>
        value >= 1 ? value : throw new PlanningInputException(option, string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {value}"));

    /// <summary>The Azure trace of a kind: from the file or directory the user named, else the tool's embedded copy.</summary>
    internal static AzureTraceBuilder LoadAzure(string? given, AzureTraceKind kind)
    {
        var file = AzureTraceBuilder.FileName(kind);
        if (given is null)
        {
            using var embedded = EmbeddedData.Open(file);
            return AzureTraceBuilder.Read(embedded, file);
        }

        if (Directory.Exists(given))
        {
            var inside = Path.Combine(given, file);
            return File.Exists(inside) ? AzureTraceBuilder.Load(inside) : throw new PlanningInputException("--azure-data", $"no {file} in {given}");
        }

        return File.Exists(given) ? AzureTraceBuilder.Load(given) : throw new PlanningInputException("--azure-data", $"file not found: {given}");
    }

    private static string Summary(RolloutTrace trace, string source, string path)
    {
        var totals = trace.Trajectories.Select(t => t.TotalOutputTokens).Order().ToArray();
        var median = totals[totals.Length / 2];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {trace.Count} trajectories ({trace.Groups().Length} prompts, {source}) to {path}: {trace.TotalOutputTokens} output tokens, median {median} a trajectory, longest {totals[^1]} ({(double)totals[^1] / Math.Max(1, median):F1}x the median), mean {trace.Trajectories.Average(t => t.Turns):F2} turns");
    }
}
