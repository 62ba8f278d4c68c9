using System.CommandLine;
using System.Globalization;
using System.Text;
using Planning.Knowledge.Evaluation;

namespace Planning.Cli.Commands;

/// <summary>
/// <c>plan kb generate</c>: writes a generated labelled retrieval set (<see cref="SyntheticExperienceSet"/>) as
/// experiences.jsonl and queries.jsonl into a directory, optionally as a larger distractor corpus around it.
/// </summary>
internal static class KbGenerateCommand
{
    public static Command Create(ConsoleIo io)
    {
        var output = new Option<string>("--out", "-o") { Description = "The directory to write experiences.jsonl and queries.jsonl into (created if missing)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed (default 19, the seed of data/kb-eval)", DefaultValueFactory = _ => 19 };
        var queries = new Option<int>("--queries") { Description = "Labelled queries (target tasks), 1-10000 (default 600)", DefaultValueFactory = _ => 600 };
        var distractors = new Option<int>("--distractors") { Description = "Experiences relevant to no query in the labelled set, 0-1000000 (default 1400)", DefaultValueFactory = _ => 1400 };
        var total = new Option<int?>("--total") { Description = "Write a corpus of this many experiences: the labelled set's, then more distractors (default: the labelled set alone)" };
        var command = new Command("generate", "Write a generated labelled retrieval set of agent experiences (experiences.jsonl, queries.jsonl) for plan kb eval")
        {
            output, seed, queries, distractors, total,
        };
        command.SetAction(parse =>
        {
            int queryCount = parse.GetValue(queries);
            int distractorCount = parse.GetValue(distractors);
            if (queryCount is < 1 or > 10_000)
            {
                throw new PlanningInputException("--queries", Invariant($"must be 1 to 10000, got {queryCount}"));
            }

            if (distractorCount is < 0 or > 1_000_000)
            {
                throw new PlanningInputException("--distractors", Invariant($"must be 0 to 1000000, got {distractorCount}"));
            }

            int seedValue = parse.GetValue(seed);
            EvaluationSet set = SyntheticExperienceSet.Generate(seedValue, queryCount, distractorCount);
            int corpusSize = parse.GetValue(total) ?? set.Experiences.Count;
            if (corpusSize < set.Experiences.Count || corpusSize > 10_000_000)
            {
                throw new PlanningInputException("--total", Invariant($"must be at least the labelled set's {set.Experiences.Count} experiences and at most 10000000, got {corpusSize}"));
            }

            string directory = parse.GetValue(output)!;
            Directory.CreateDirectory(directory);
            int written = 0;
            CommonOptions.WriteAtomically(Path.Combine(directory, EvaluationSetFiles.ExperiencesFileName), stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                written = EvaluationSetFiles.WriteExperiences(writer, SyntheticExperienceSet.Corpus(seedValue, queryCount, distractorCount, corpusSize));
            });
            CommonOptions.WriteAtomically(Path.Combine(directory, EvaluationSetFiles.QueriesFileName), stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                LabelledQueryJson.Write(writer, set.Queries);
            });
            io.Out.WriteLine(Invariant(
                $"wrote {written} experiences ({set.Experiences.Count} in the labelled set, {written - set.Experiences.Count} more distractors) and {set.Queries.Count} queries (seed {seedValue}) to {directory}"));
            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
