using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Planning.Moe.Json;

namespace Planning.Moe.Workloads;

/// <summary>
/// Reads and writes a workload of several microbatches as JSON Lines: one CASE.json object (the contract of
/// <c>plan moe balance</c>, see <see cref="MoeCaseJson"/>) per line, in microbatch order. Reading checks every case and
/// that all share the first one's topology and number of layers; errors name the line, as in
/// <c>line 3: ranks: must be a non-negative integer, got -1</c>.
/// </summary>
public static class MoeWorkloadJson
{
    /// <summary>Writes the microbatches, one compact JSON object per line, each line ended by <c>\n</c>.</summary>
    /// <param name="stream">Where to write (UTF-8).</param>
    /// <param name="microbatches">The microbatches, in order.</param>
    public static void WriteLines(Stream stream, IEnumerable<MoeCase> microbatches)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(microbatches);
        using var writer = new Utf8JsonWriter(stream);
        foreach (var microbatch in microbatches)
        {
            MoeCaseJson.Write(writer, microbatch);
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset(stream);
        }
    }

    /// <summary>Serialises the microbatches to JSON Lines text.</summary>
    /// <param name="microbatches">The microbatches, in order.</param>
    /// <returns>One JSON object per line, each line ended by <c>\n</c>.</returns>
    public static string SerializeLines(IEnumerable<MoeCase> microbatches)
    {
        using var stream = new MemoryStream();
        WriteLines(stream, microbatches);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses JSON Lines text; blank lines are skipped.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The microbatches, in order; at least one.</returns>
    /// <exception cref="PlanningInputException">A line is not a valid case (the field is prefixed with <c>line N: </c>), the topologies differ or there is no case.</exception>
    public static ImmutableArray<MoeCase> ReadLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return ReadLines(reader);
    }

    /// <summary>Reads JSON Lines until the end of the reader; blank lines are skipped.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The microbatches, in order; at least one.</returns>
    /// <exception cref="PlanningInputException">A line is not a valid case (the field is prefixed with <c>line N: </c>), the topologies differ or there is no case.</exception>
    public static ImmutableArray<MoeCase> ReadLines(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var cases = ImmutableArray.CreateBuilder<MoeCase>();
        var firstLine = 0;
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            MoeCase moeCase;
            try
            {
                moeCase = MoeCaseJson.Parse(line);
            }
            catch (PlanningInputException ex)
            {
                throw new PlanningInputException(Line(number, ex.Field), ex.Problem);
            }

            if (cases.Count == 0)
            {
                firstLine = number;
            }
            else
            {
                CheckSameShape(cases[0], firstLine, moeCase, number);
            }

            cases.Add(moeCase);
        }

        return cases.Count > 0
            ? cases.ToImmutable()
            : throw new PlanningInputException("input", "must hold at least one case (one JSON object a line), got none");
    }

    private static void CheckSameShape(MoeCase first, int firstLine, MoeCase other, int line)
    {
        Same("ranks", first.Ranks, other.Ranks);
        Same("ranksPerDomain", first.RanksPerDomain, other.RanksPerDomain);
        Same("ranksPerNode", first.RanksPerNode, other.RanksPerNode);
        Same("expertsPerRank", first.ExpertsPerRank, other.ExpertsPerRank);
        Same("redundantSlotsPerRank", first.RedundantSlotsPerRank, other.RedundantSlotsPerRank);
        if (first.ExpertGroups != other.ExpertGroups)
        {
            throw new PlanningInputException(
                Line(line, "expertGroups"),
                $"must match line {firstLine} ({Describe(first.ExpertGroups)}), got {Describe(other.ExpertGroups)}");
        }

        if (first.Layers.Length != other.Layers.Length)
        {
            throw new PlanningInputException(
                Line(line, "tokensPerRankLayer"),
                string.Create(CultureInfo.InvariantCulture, $"must have {first.Layers.Length} layer(s) like line {firstLine}, got {other.Layers.Length}"));
        }

        void Same(string field, int expected, int actual)
        {
            if (expected != actual)
            {
                throw new PlanningInputException(Line(line, field), string.Create(CultureInfo.InvariantCulture, $"must match line {firstLine} ({expected}), got {actual}"));
            }
        }
    }

    private static string Describe(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "absent";

    private static string Line(int line, string field) => string.Create(CultureInfo.InvariantCulture, $"line {line}: {field}");
}
