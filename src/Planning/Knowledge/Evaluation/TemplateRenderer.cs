using System.Text;
using System.Text.RegularExpressions;

namespace Planning.Knowledge.Evaluation;

/// <summary>How one rendering of template text varies from the experience's wording.</summary>
/// <param name="GroupChoices">The member chosen for each synonym group, in order of appearance; reused or varied.</param>
/// <param name="VarySynonyms">Pick a different group member than <paramref name="GroupChoices"/> and replace literal words by synonyms.</param>
/// <param name="DropOptional">Leave optional phrases and the articles the, a, an out.</param>
/// <param name="VarySurface">Name each entity by another of its surface forms.</param>
internal sealed record RenderVariation(IReadOnlyList<int> GroupChoices, bool VarySynonyms, bool DropOptional, bool VarySurface);

/// <summary>Renders template segments with bound entities (the engine of <see cref="SyntheticExperienceSet"/>).</summary>
internal static partial class TemplateRenderer
{
    private static readonly HashSet<string> Articles = new(["the", "a", "an"], StringComparer.Ordinal);

    /// <summary>Renders segments, choosing group members at random (recorded in <paramref name="choices"/>).</summary>
    public static string RenderFresh(
        IReadOnlyList<TemplateSegment> segments, IReadOnlyDictionary<SlotKey, TemplateEntity> bindings, Random random, List<int> choices)
    {
        var text = new StringBuilder();
        int group = 0;
        Append(segments, bindings, random, text, choices, variation: null, ref group);
        return Tidy(text.ToString());
    }

    /// <summary>Renders segments under a variation of a recorded rendering.</summary>
    public static string RenderVaried(
        IReadOnlyList<TemplateSegment> segments, IReadOnlyDictionary<SlotKey, TemplateEntity> bindings, Random random,
        ExperienceTemplates templates, RenderVariation variation)
    {
        var text = new StringBuilder();
        int group = 0;
        Append(segments, bindings, random, text, choices: null, variation, ref group);
        string rendered = Tidy(text.ToString());
        if (variation.VarySynonyms)
        {
            rendered = ReplaceWords(rendered, templates, bindings, random);
        }

        if (variation.DropOptional)
        {
            rendered = Tidy(string.Join(' ', rendered.Split(' ').Where(w => !Articles.Contains(w))));
        }

        return rendered;
    }

    private static void Append(
        IReadOnlyList<TemplateSegment> segments, IReadOnlyDictionary<SlotKey, TemplateEntity> bindings, Random random,
        StringBuilder text, List<int>? choices, RenderVariation? variation, ref int group)
    {
        foreach (TemplateSegment segment in segments)
        {
            switch (segment)
            {
                case LiteralSegment literal:
                    text.Append(literal.Text);
                    break;
                case GroupSegment members:
                    int choice;
                    if (variation is null)
                    {
                        choice = random.Next(members.Members.Count);
                        choices!.Add(choice);
                    }
                    else
                    {
                        int recorded = group < variation.GroupChoices.Count ? variation.GroupChoices[group] : 0;
                        group++;
                        choice = variation.VarySynonyms && members.Members.Count > 1
                            ? (recorded + 1 + random.Next(members.Members.Count - 1)) % members.Members.Count
                            : recorded;
                    }

                    text.Append(members.Members[choice]);
                    break;
                case SlotSegment slot:
                    TemplateEntity entity = bindings[slot.Slot];
                    text.Append(variation is { VarySurface: true } && entity.Forms.Count > 1
                        ? entity.Forms[1 + random.Next(entity.Forms.Count - 1)]
                        : entity.Canonical);
                    break;
                case OptionalSegment optional:
                    if (variation is not { DropOptional: true })
                    {
                        Append(optional.Inner, bindings, random, text, choices, variation, ref group);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown segment {segment}");
            }
        }
    }

    /// <summary>Replaces each literal word that has synonyms, with probability 1/2, keeping entity names intact.</summary>
    public static string ReplaceWords(string text, ExperienceTemplates templates, IReadOnlyDictionary<SlotKey, TemplateEntity> bindings, Random random)
    {
        var protectedWords = new HashSet<string>(
            bindings.Values.SelectMany(e => e.Forms).SelectMany(f => f.Split(' ')).Select(w => w.ToLowerInvariant()),
            StringComparer.Ordinal);
        return WordPattern().Replace(text, match =>
        {
            string word = match.Value;
            string key = word.ToLowerInvariant();
            if (protectedWords.Contains(key) || !templates.Synonyms.TryGetValue(key, out IReadOnlyList<string>? replacements) || random.Next(2) == 0)
            {
                return word;
            }

            return replacements[random.Next(replacements.Count)];
        });
    }

    /// <summary>Collapses runs of spaces and trims (optional phrases leave double spaces behind).</summary>
    public static string Tidy(string text) => SpacePattern().Replace(text, " ").Trim().Replace(" ,", ",", StringComparison.Ordinal);

    [GeneratedRegex("[A-Za-z][A-Za-z-]*")]
    private static partial Regex WordPattern();

    [GeneratedRegex(" {2,}")]
    private static partial Regex SpacePattern();
}
