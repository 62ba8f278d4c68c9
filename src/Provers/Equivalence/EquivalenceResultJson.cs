using System.Text.Json;

namespace Planning.Provers.Equivalence;

/// <summary>
/// Writes an <see cref="EquivalenceResult"/> in the output shape of the <c>plan formal equiv --format json</c> contract:
/// <c>verdict</c>, <c>reason</c>, <c>milliseconds</c>, <c>firstVacuous</c>, <c>secondVacuous</c>, when there is one
/// <c>counterexample</c> (variable name to SMT value, by name), <c>closed</c>, <c>theoremVerdict</c> and, when there is
/// one, <c>theoremCounterexample</c>. Fields are only ever added, never renamed or dropped.
/// </summary>
public static class EquivalenceResultJson
{
    /// <summary>The verdict's contract spelling: <c>equivalent</c>, <c>not-equivalent</c>, <c>unknown</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The spelling.</returns>
    public static string VerdictName(EquivalenceVerdict verdict) => verdict switch
    {
        EquivalenceVerdict.Equivalent => "equivalent",
        EquivalenceVerdict.NotEquivalent => "not-equivalent",
        _ => "unknown",
    };

    /// <summary>Writes the result as one JSON object.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="result">The result.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static void Write(Utf8JsonWriter writer, EquivalenceResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteString("verdict", VerdictName(result.Verdict));
        writer.WriteString("reason", result.Reason);
        writer.WriteNumber("milliseconds", Math.Round(result.Elapsed.TotalMilliseconds, 3));
        writer.WriteBoolean("firstVacuous", result.FirstVacuous);
        writer.WriteBoolean("secondVacuous", result.SecondVacuous);
        WriteValues(writer, "counterexample", result.Counterexample);
        writer.WriteBoolean("closed", result.Closed);
        writer.WriteString("theoremVerdict", VerdictName(result.TheoremVerdict));
        WriteValues(writer, "theoremCounterexample", result.TheoremCounterexample);
        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string>? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartObject(name);
        foreach ((string variable, string value) in values.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(variable, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>The result as an indented JSON document, as <c>plan formal equiv --format json</c> prints it.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The JSON text (no trailing newline).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string ToJson(EquivalenceResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return JsonText.Indented(writer => Write(writer, result));
    }
}
