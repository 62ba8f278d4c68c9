using System.CommandLine;
using System.Globalization;
using Planning.Execution.Soc;
using Planning.Rollout;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan soc generate</c>: writes a SoC serving workload (REQUESTS.jsonl, see docs/contracts.md): reactive and
/// proactive Poisson arrivals, reactive lengths from the Azure conversation trace and proactive ones from the code trace.
/// </summary>
internal static class SocGenerateCommand
{
    public static Command Create(ConsoleIo io)
    {
        var defaults = SocWorkloadOptions.Default;
        var reactive = new Option<double>("--reactive-per-minute") { Description = "Reactive arrivals per minute, Poisson: 0 or 1-30 (default 3)", DefaultValueFactory = _ => defaults.ReactivePerMinute };
        var proactive = new Option<double>("--proactive-per-minute") { Description = "Proactive arrivals per minute, Poisson: 0 or 1-30 (default 6)", DefaultValueFactory = _ => defaults.ProactivePerMinute };
        var minutes = new Option<double>("--minutes") { Description = "How long requests arrive for, in minutes (default 10)", DefaultValueFactory = _ => defaults.DurationMinutes };
        var seed = CommonOptions.Seed();
        var azureData = new Option<string?>("--azure-data") { Description = "The directory holding AzureLLMInferenceTrace_{conv,code}.csv (default: data/azure-llm-2023's files, embedded in the tool)" };
        var output = new Option<string?>("--out", "-o") { Description = "Write the workload to this file (default: stdout)" };
        var command = new Command("generate", "Write a SoC serving workload (JSON Lines, one request a line): reactive and proactive Poisson arrivals with Azure trace lengths")
        {
            reactive, proactive, minutes, seed, azureData, output,
        };
        command.SetAction(parse =>
        {
            var options = new SocWorkloadOptions
            {
                ReactivePerMinute = parse.GetValue(reactive),
                ProactivePerMinute = parse.GetValue(proactive),
                DurationMinutes = parse.GetValue(minutes),
                Seed = parse.GetValue(seed),
            };
            try
            {
                options.Validate();
            }
            catch (PlanningInputException error)
            {
                // The library names its fields; the command line names its options.
                throw new PlanningInputException(error.Field switch
                {
                    "reactivePerMinute" => "--reactive-per-minute",
                    "proactivePerMinute" => "--proactive-per-minute",
                    "durationMinutes" => "--minutes",
                    var other => other,
                }, error.Problem);
            }

            var given = parse.GetValue(azureData);
            if (given is not null && !Directory.Exists(given))
            {
                throw new PlanningInputException("--azure-data", $"must be a directory holding AzureLLMInferenceTrace_conv.csv and AzureLLMInferenceTrace_code.csv, got \"{given}\"");
            }

            var conversation = RolloutGenerateCommand.LoadAzure(given, AzureTraceKind.Conversation);
            var code = RolloutGenerateCommand.LoadAzure(given, AzureTraceKind.Code);
            var requests = SocWorkloadGenerator.Generate(options, conversation, code);
            if (requests.IsEmpty)
            {
                throw new PlanningInputException("--minutes", Invariant($"no request arrived in {options.DurationMinutes} minutes at these rates (seed {options.Seed}); ask for more minutes"));
            }

            var text = SocWorkloadJson.Serialize(requests);
            if (parse.GetValue(output) is { } path)
            {
                CommonOptions.WriteAtomically(path, stream =>
                {
                    using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    writer.Write(text);
                });
                var reactiveCount = requests.Count(r => r.Kind == SocRequestKind.Reactive);
                io.Out.WriteLine(Invariant(
                    $"wrote {requests.Length} requests ({reactiveCount} reactive, {requests.Length - reactiveCount} proactive; {SocWorkloadGenerator.Describe(options)}; lengths from {conversation.Source} and {code.Source}) to {path}"));
            }
            else
            {
                io.Out.Write(text);
            }

            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
