using System.Collections.Immutable;
using System.Text.Json;

namespace Planning.Provers.Selection;

/// <summary>
/// The JSON of a selection, as the <c>plan formal select</c> contract has it: reads the candidates document
/// (<c>{ "informal": "...", "candidates": [ "theorem ...", ... ] }</c>) and writes the <see cref="SelectionResult"/>
/// (<c>selected</c>, <c>clusters</c>, <c>scores</c>, then diagnostics). Fields are only ever added, never renamed or dropped.
/// </summary>
public static class SelectionJson
{
    /// <summary>Reads a candidates document; a malformed document or field is bad input naming the field.</summary>
    /// <param name="json">The document.</param>
    /// <param name="document">How an error in the document as a whole names it: a file name, or the option that gave it (<c>--input</c>).</param>
    /// <returns>The informal statement and the candidates.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ProversInputException">
    /// The JSON is malformed or not an object (naming <paramref name="document"/>), <c>informal</c> is not a non-empty
    /// string, <c>candidates</c> is not a non-empty array, or an element of it (<c>candidates[i]</c>) is not a string.
    /// </exception>
    public static SelectionCandidates ReadCandidates(string json, string document = "input")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(document);
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ProversInputException(document, "malformed JSON: " + ex.Message);
        }

        using (parsed)
        {
            JsonElement root = parsed.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProversInputException(document, "expected a JSON object with 'informal' and 'candidates'");
            }

            if (!root.TryGetProperty("informal", out JsonElement informal) || informal.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(informal.GetString()))
            {
                throw new ProversInputException("informal", "expected a non-empty string");
            }

            if (!root.TryGetProperty("candidates", out JsonElement list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw new ProversInputException("candidates", "expected a non-empty array of Lean statements");
            }

            ImmutableArray<string>.Builder statements = ImmutableArray.CreateBuilder<string>(list.GetArrayLength());
            foreach (JsonElement item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new ProversInputException($"candidates[{statements.Count}]", $"expected a string, got {item.ValueKind.ToString().ToLowerInvariant()}");
                }

                statements.Add(item.GetString()!);
            }

            return new SelectionCandidates(informal.GetString()!, statements.MoveToImmutable());
        }
    }

    /// <summary>
    /// Writes a candidates document (the shape <see cref="ReadCandidates"/> reads): <c>informal</c>, then <c>candidates</c>.
    /// </summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="candidates">The candidates.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void WriteCandidates(Utf8JsonWriter writer, SelectionCandidates candidates)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(candidates);
        writer.WriteStartObject();
        writer.WriteString("informal", candidates.Informal);
        writer.WriteStartArray("candidates");
        foreach (string statement in candidates.Statements)
        {
            writer.WriteStringValue(statement);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes the result: <c>selected</c>, <c>clusters</c>, <c>scores</c> (per candidate the raw, normalised and combined
    /// scores rounded to 6 places and the informalization, or null scores and the parse <c>error</c>),
    /// <c>equivalenceChecks</c>, <c>skippedPairs</c>, <c>milliseconds</c>.
    /// </summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="result">The result.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void Write(Utf8JsonWriter writer, SelectionResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteNumber("selected", result.Selected);
        writer.WriteStartArray("clusters");
        foreach (var cluster in result.Clusters)
        {
            writer.WriteStartArray();
            foreach (int index in cluster)
            {
                writer.WriteNumberValue(index);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("scores");
        for (int i = 0; i < result.Scores.Length; i++)
        {
            writer.WriteStartObject();
            if (result.Scores[i] is { } score)
            {
                writer.WriteNumber("symbolic", Math.Round(score.Symbolic, 6));
                writer.WriteNumber("semantic", Math.Round(score.Semantic, 6));
                writer.WriteNumber("combined", Math.Round(score.Combined, 6));
                writer.WriteNumber("normalizedSymbolic", Math.Round(score.NormalizedSymbolic, 6));
                writer.WriteNumber("normalizedSemantic", Math.Round(score.NormalizedSemantic, 6));
                writer.WriteString("informalization", result.Informalizations[i]);
            }
            else
            {
                writer.WriteNull("symbolic");
                writer.WriteNull("semantic");
                writer.WriteNull("combined");
                writer.WriteString("error", result.ParseErrors[i]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("equivalenceChecks", result.EquivalenceChecks);
        writer.WriteNumber("skippedPairs", result.SkippedPairs);
        writer.WriteNumber("milliseconds", Math.Round(result.Elapsed.TotalMilliseconds, 1));
        writer.WriteEndObject();
    }

    /// <summary>The result as an indented JSON document, as <c>plan formal select --format json</c> prints it.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The JSON text (no trailing newline).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string ToJson(SelectionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return JsonText.Indented(writer => Write(writer, result));
    }

    /// <summary>The candidates as an indented JSON document (a CANDIDATES.json).</summary>
    /// <param name="candidates">The candidates.</param>
    /// <returns>The JSON text (no trailing newline).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidates"/> is <see langword="null"/>.</exception>
    public static string ToJson(SelectionCandidates candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return JsonText.Indented(writer => WriteCandidates(writer, candidates));
    }
}
