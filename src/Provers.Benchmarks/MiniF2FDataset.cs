using System.Text.Json;

namespace Planning.Provers.Benchmarks;

/// <summary>One miniF2F problem: its name, split, informal statement and Lean 4 statement.</summary>
/// <param name="Name">The problem's name, for example <c>mathd_algebra_478</c>.</param>
/// <param name="Split">The split, <c>valid</c> or <c>test</c>.</param>
/// <param name="InformalPrefix">The informal statement (a Lean doc comment), empty when absent.</param>
/// <param name="FormalStatement">The Lean 4 theorem statement.</param>
internal sealed record MiniF2FEntry(string Name, string Split, string InformalPrefix, string FormalStatement)
{
    /// <summary>The problem family (see <see cref="MiniF2FDataset.FamilyOf"/>).</summary>
    public string Family => MiniF2FDataset.FamilyOf(Name);
}

/// <summary>Reads the miniF2F JSON Lines file (fields <c>name</c>, <c>split</c>, <c>informal_prefix</c>, <c>formal_statement</c>).</summary>
internal static class MiniF2FDataset
{
    /// <summary>Reads every entry of a JSON Lines file; blank lines are skipped.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The entries, in file order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">A line is not a JSON object with string fields <c>name</c> and <c>formal_statement</c>.</exception>
    public static IReadOnlyList<MiniF2FEntry> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadLines(path));
    }

    /// <summary>Parses JSON Lines text, one entry a line; blank lines are skipped.</summary>
    /// <param name="lines">The lines.</param>
    /// <returns>The entries, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lines"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">A line is not a JSON object with string fields <c>name</c> and <c>formal_statement</c>.</exception>
    public static IReadOnlyList<MiniF2FEntry> Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        List<MiniF2FEntry> entries = [];
        int number = 0;
        foreach (string line in lines)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                JsonElement root = document.RootElement;
                entries.Add(new MiniF2FEntry(
                    Required(root, "name"), Optional(root, "split"), Optional(root, "informal_prefix"), Required(root, "formal_statement")));
            }
            catch (JsonException exception)
            {
                throw new FormatException($"line {number}: {exception.Message}", exception);
            }
            catch (InvalidOperationException exception)
            {
                throw new FormatException($"line {number}: {exception.Message}", exception);
            }
        }

        return entries;
    }

    /// <summary>
    /// The family of a problem name: <c>mathd_algebra</c>, <c>mathd_numbertheory</c>, <c>amc12</c> (for <c>amc12a</c>,
    /// <c>amc12b</c>, <c>amc12</c>), <c>aime</c> (also <c>aimeI</c>, <c>aimeII</c>), <c>imo</c> (also <c>imosl</c>), <c>induction</c>,
    /// <c>algebra</c>, <c>numbertheory</c>; otherwise the part before the first underscore.
    /// </summary>
    /// <param name="name">The problem name.</param>
    /// <returns>The family.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public static string FamilyOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string[] parts = name.Split('_');
        string head = parts[0];
        if (head == "mathd" && parts.Length > 1)
        {
            return "mathd_" + parts[1];
        }

        if (head.StartsWith("amc12", StringComparison.Ordinal))
        {
            return "amc12";
        }

        if (head.StartsWith("aime", StringComparison.Ordinal))
        {
            return "aime";
        }

        return head.StartsWith("imo", StringComparison.Ordinal) ? "imo" : head;
    }

    private static string Required(JsonElement root, string property)
    {
        return root.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"missing string field '{property}'");
    }

    private static string Optional(JsonElement root, string property)
    {
        return root.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
    }
}
