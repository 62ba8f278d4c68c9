using System.Text;
using System.Text.Json;

namespace Planning.Knowledge.Evaluation;

/// <summary>
/// The files of a labelled set on disk (data/kb-eval): <see cref="ExperiencesFileName"/>, one experience a line in the
/// shape of <see cref="ExperienceJson"/> with <c>id</c> the id it gets when the file is ingested in order into an empty
/// knowledge base (its line number), and <see cref="QueriesFileName"/> in the shape of <see cref="LabelledQueryJson"/>.
/// </summary>
public static class EvaluationSetFiles
{
    /// <summary>The experiences file's name.</summary>
    public const string ExperiencesFileName = "experiences.jsonl";

    /// <summary>The queries file's name.</summary>
    public const string QueriesFileName = "queries.jsonl";

    /// <summary>
    /// Writes experiences as JSON Lines, the i-th (from 0) with <c>id</c> i + 1 whatever its <see cref="Experience.Id"/>.
    /// </summary>
    /// <param name="writer">The text writer (lines end with a line feed).</param>
    /// <param name="experiences">The experiences in ingestion order.</param>
    /// <returns>The number of lines written.</returns>
    public static int WriteExperiences(TextWriter writer, IEnumerable<Experience> experiences)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(experiences);
        int count = 0;
        using var buffer = new MemoryStream();
        foreach (Experience experience in experiences)
        {
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer, LabelledQueryJson.LineOptions))
            {
                ExperienceJson.Write(json, experience with { Id = count + 1 });
            }

            writer.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            writer.Write('\n');
            count++;
        }

        return count;
    }
}
