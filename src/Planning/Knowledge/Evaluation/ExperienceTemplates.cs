using System.Globalization;
using System.Text;

namespace Planning.Knowledge.Evaluation;

/// <summary>
/// The parsed template library of <see cref="SyntheticExperienceSet"/> (the embedded <c>experience-templates.txt</c>,
/// whose header states the grammar): entity lists with their surface forms, word synonyms, and task templates with
/// their plan steps, grouped by domain.
/// </summary>
internal sealed class ExperienceTemplates
{
    private const string ResourceName = "Planning.Knowledge.Evaluation.experience-templates.txt";

    private static readonly Lazy<ExperienceTemplates> Embedded = new(() => Parse(ReadResource()));

    private ExperienceTemplates(
        IReadOnlyDictionary<string, IReadOnlyList<TemplateEntity>> entities,
        IReadOnlyDictionary<string, IReadOnlyList<string>> synonyms,
        IReadOnlyList<TaskTemplate> tasks)
    {
        Entities = entities;
        Synonyms = synonyms;
        Tasks = tasks;
    }

    /// <summary>The library shipped in the assembly.</summary>
    public static ExperienceTemplates Default => Embedded.Value;

    /// <summary>Entity lists by slot name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TemplateEntity>> Entities { get; }

    /// <summary>Word synonyms (lower case word -> replacements) used by the synonym variation on literal text.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Synonyms { get; }

    /// <summary>The task templates in file order.</summary>
    public IReadOnlyList<TaskTemplate> Tasks { get; }

    /// <summary>Parses template text (the grammar in the embedded file's header).</summary>
    /// <exception cref="FormatException">A line does not follow the grammar.</exception>
    public static ExperienceTemplates Parse(string text)
    {
        var entities = new Dictionary<string, IReadOnlyList<TemplateEntity>>(StringComparer.Ordinal);
        var synonyms = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var tasks = new List<TaskTemplate>();
        string? domain = null;
        List<IReadOnlyList<TemplateSegment>>? clauses = null;
        var steps = new List<TemplateStep>();
        int lineNumber = 0;

        void Flush()
        {
            if (clauses is not null)
            {
                tasks.Add(new TaskTemplate(tasks.Count, domain!, clauses, [.. steps]));
            }

            clauses = null;
            steps.Clear();
        }

        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                if (line.Length == 0)
                {
                    Flush();
                }

                continue;
            }

            if (line.StartsWith("entity ", StringComparison.Ordinal))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                string name = line[7..colon].Trim();
                entities[name] = [.. line[(colon + 1)..].Split('|').Select(e => new TemplateEntity([.. e.Split(',').Select(f => f.Trim())]))];
            }
            else if (line.StartsWith("synonym ", StringComparison.Ordinal))
            {
                int equals = line.IndexOf('=', StringComparison.Ordinal);
                synonyms[line[8..equals].Trim()] = [.. line[(equals + 1)..].Split(',').Select(s => s.Trim())];
            }
            else if (line.StartsWith("domain ", StringComparison.Ordinal))
            {
                Flush();
                domain = line[7..].Trim();
            }
            else if (line.StartsWith("task: ", StringComparison.Ordinal))
            {
                Flush();
                if (domain is null)
                {
                    throw new FormatException($"line {lineNumber}: a task before any domain");
                }

                clauses = [.. line[6..].Split(" ; ").Select(c => ParseSegments(c, lineNumber))];
            }
            else if (line.StartsWith("step: ", StringComparison.Ordinal) || line.StartsWith("step?: ", StringComparison.Ordinal))
            {
                bool optional = line[4] == '?';
                if (clauses is null)
                {
                    throw new FormatException($"line {lineNumber}: a step outside a task");
                }

                steps.Add(new TemplateStep(ParseSegments(line[(optional ? 7 : 6)..], lineNumber), optional));
            }
            else
            {
                throw new FormatException($"line {lineNumber}: unrecognised line '{line}'");
            }
        }

        Flush();
        foreach (TaskTemplate task in tasks)
        {
            foreach (SlotKey slot in task.AllSlots)
            {
                if (!entities.ContainsKey(slot.Name))
                {
                    throw new FormatException($"task template {task.Index}: unknown entity slot '{slot.Name}'");
                }
            }
        }

        return new ExperienceTemplates(entities, synonyms, tasks);
    }

    private static string ReadResource()
    {
        using Stream stream = typeof(ExperienceTemplates).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static List<TemplateSegment> ParseSegments(string text, int lineNumber)
    {
        var segments = new List<TemplateSegment>();
        var literal = new StringBuilder();
        int i = 0;

        void FlushLiteral()
        {
            if (literal.Length > 0)
            {
                segments.Add(new LiteralSegment(literal.ToString()));
                literal.Clear();
            }
        }

        while (i < text.Length)
        {
            char c = text[i];
            if (c is '[' or '{' or '(')
            {
                char close = c switch { '[' => ']', '{' => '}', _ => ')' };
                int end = text.IndexOf(close, i + 1);
                if (end < 0)
                {
                    throw new FormatException($"line {lineNumber}: unclosed '{c}'");
                }

                string inner = text[(i + 1)..end];
                FlushLiteral();
                switch (c)
                {
                    case '[':
                        segments.Add(new GroupSegment([.. inner.Split('|')]));
                        break;
                    case '{':
                        int hash = inner.IndexOf('#', StringComparison.Ordinal);
                        segments.Add(new SlotSegment(hash < 0
                            ? new SlotKey(inner, 1)
                            : new SlotKey(inner[..hash], int.Parse(inner[(hash + 1)..], CultureInfo.InvariantCulture))));
                        break;
                    default:
                        if (inner.Contains('{', StringComparison.Ordinal))
                        {
                            throw new FormatException($"line {lineNumber}: an optional phrase holds a slot");
                        }

                        segments.Add(new OptionalSegment(ParseSegments(inner, lineNumber)));
                        break;
                }

                i = end + 1;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        FlushLiteral();
        return segments;
    }
}

/// <summary>An entity: its canonical surface form first, then other forms naming the same thing.</summary>
internal sealed record TemplateEntity(IReadOnlyList<string> Forms)
{
    public string Canonical => Forms[0];
}

/// <summary>A slot of a template: the entity list's name and which distinct entity of that list (1, 2, ...).</summary>
internal readonly record struct SlotKey(string Name, int Index);

/// <summary>A piece of template text.</summary>
internal abstract record TemplateSegment;

/// <summary>Literal words.</summary>
internal sealed record LiteralSegment(string Text) : TemplateSegment;

/// <summary>A synonym group: a rendering picks one member.</summary>
internal sealed record GroupSegment(IReadOnlyList<string> Members) : TemplateSegment;

/// <summary>An entity slot.</summary>
internal sealed record SlotSegment(SlotKey Slot) : TemplateSegment;

/// <summary>A phrase without slots that the drop variation leaves out.</summary>
internal sealed record OptionalSegment(IReadOnlyList<TemplateSegment> Inner) : TemplateSegment;

/// <summary>A plan step; optional steps are kept at random.</summary>
internal sealed record TemplateStep(IReadOnlyList<TemplateSegment> Segments, bool Optional);

/// <summary>A task template: one or two clauses, and its plan steps.</summary>
internal sealed record TaskTemplate(int Index, string Domain, IReadOnlyList<IReadOnlyList<TemplateSegment>> Clauses, IReadOnlyList<TemplateStep> Steps)
{
    /// <summary>The task's slots in order of first appearance: they identify a task (with the template).</summary>
    public IReadOnlyList<SlotKey> TaskSlots { get; } = [.. Clauses.SelectMany(Slots).Distinct()];

    /// <summary>The slots of the task and of the steps.</summary>
    public IReadOnlyList<SlotKey> AllSlots { get; } = [.. Clauses.Concat(Steps.Select(s => s.Segments)).SelectMany(Slots).Distinct()];

    private static IEnumerable<SlotKey> Slots(IReadOnlyList<TemplateSegment> segments) => segments.OfType<SlotSegment>().Select(s => s.Slot);
}
