using System.Globalization;

namespace Planning.Knowledge.Evaluation;

/// <summary>
/// A seeded generator of agent experiences and of labelled queries that restate their tasks in other words: the
/// labelled retrieval set of the knowledge-base evaluation (docs/benchmarks.md, "Agent KB") and its larger distractor
/// corpora. The same seed and counts give the same experiences and queries, byte for byte.
/// </summary>
/// <remarks>
/// <para>
/// Experiences come from task templates in six domains (web navigation, software engineering, data analysis, math,
/// operations, research), each a task with entity slots (cities, languages, databases, companies, ...) and 4 to 7 plan
/// steps. A task is identified by its template and its entities, so distractors drawn from the same template with
/// other entities are hard negatives that share most words with a target.
/// </para>
/// <para>
/// Each query restates one target task by two of four variations chosen at random among those that change it:
/// <c>synonyms</c> (another member of the task's verb group, and about half of the literal words that have a listed
/// synonym replaced), <c>reorder</c> (the two clauses swapped), <c>drop</c> (optional phrases and articles left out) and
/// <c>surface</c> (each entity named by another surface form: NYC for New York City, k8s for Kubernetes); the result is
/// wrapped in one of a few phrasings ("How do I ...?"). Synonyms favour the dense retriever, surface forms that share
/// no token with the canonical name hurt BM25, reordering and dropping hurt neither much: the per-variation breakdown
/// shows the bias. A third of the targets are recorded twice (another attempt: other wording, other optional steps,
/// its own outcome), so a query has one or two relevant experiences.
/// </para>
/// </remarks>
public static class SyntheticExperienceSet
{
    /// <summary>The <see cref="Experience.SourceFramework"/> of every generated experience.</summary>
    public const string SourceFramework = "synthetic-kb-eval";

    /// <summary>The variation names a generated query may carry in <see cref="LabelledQuery.Variations"/>.</summary>
    public static IReadOnlyList<string> VariationNames => Variations;

    private static readonly string[] Variations = ["synonyms", "reorder", "drop", "surface"];

    private const int TemplateWeightCap = 2_000;

    private static readonly string[] Frames =
        ["{0}", "How do I {0}?", "I need to {0}.", "Help me {0}.", "What is the best way to {0}?", "Task: {0}", "Please {0}."];

    private static readonly string[] FailureReasons =
    [
        "the site blocked automated access", "the credentials had expired", "the data had an unexpected schema",
        "the time limit ran out", "a dependency was unavailable", "the output did not match the expected format",
    ];

    /// <summary>
    /// Generates a labelled set: <paramref name="queryCount"/> target tasks (each with one or two experiences and one
    /// query) and <paramref name="distractorCount"/> other experiences, shuffled together; relevant ids are positions
    /// from 1 in <see cref="EvaluationSet.Experiences"/>.
    /// </summary>
    /// <param name="seed">The seed.</param>
    /// <param name="queryCount">The number of queries, at least 1.</param>
    /// <param name="distractorCount">The number of experiences relevant to no query, at least 0.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range, or more targets are asked for than the templates can make distinct.</exception>
    public static EvaluationSet Generate(int seed, int queryCount, int distractorCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queryCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(distractorCount);
        return new Generator(ExperienceTemplates.Default).Generate(seed, queryCount, distractorCount).Set;
    }

    /// <summary>
    /// A distractor corpus around a labelled set: the experiences of <see cref="Generate"/> with the same arguments,
    /// in the same order, then further distractors (drawn from a second random stream, never a target's task) until
    /// <paramref name="total"/> experiences. Ingested into an empty knowledge base, the set's labels stay valid.
    /// </summary>
    /// <param name="seed">The seed of the labelled set.</param>
    /// <param name="queryCount">The labelled set's number of queries.</param>
    /// <param name="distractorCount">The labelled set's number of distractors.</param>
    /// <param name="total">The corpus size, at least the labelled set's number of experiences.</param>
    /// <returns>The experiences, generated lazily.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public static IEnumerable<Experience> Corpus(int seed, int queryCount, int distractorCount, int total)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queryCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(distractorCount);
        var generator = new Generator(ExperienceTemplates.Default);
        (EvaluationSet set, HashSet<string> targetKeys) = generator.Generate(seed, queryCount, distractorCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(total, set.Experiences.Count);
        return Enumerate(generator, set, targetKeys, seed, total);
    }

    private static IEnumerable<Experience> Enumerate(Generator generator, EvaluationSet set, HashSet<string> targetKeys, int seed, int total)
    {
        foreach (Experience experience in set.Experiences)
        {
            yield return experience;
        }

        var random = new Random(unchecked((seed * 7919) + 104_729));
        for (int i = set.Experiences.Count; i < total; i++)
        {
            yield return generator.Distractor(random, targetKeys);
        }
    }

    private sealed class Generator(ExperienceTemplates templates)
    {
        private readonly (TaskTemplate[] Tasks, double[] Cumulative)[] _domains = [.. templates.Tasks
            .GroupBy(t => t.Domain, StringComparer.Ordinal)
            .Select(g => (g.ToArray(), CumulativeWeights(templates, g)))];

        public (EvaluationSet Set, HashSet<string> TargetKeys) Generate(int seed, int queryCount, int distractorCount)
        {
            var random = new Random(seed);
            var targetKeys = new HashSet<string>(StringComparer.Ordinal);
            var experiences = new List<Experience>();
            var pending = new List<(int[] Members, LabelledQuery Query)>();
            int attempts = 0;
            while (pending.Count < queryCount)
            {
                if (++attempts > queryCount * 100)
                {
                    throw new ArgumentOutOfRangeException(nameof(queryCount), queryCount, "more targets than the templates can make distinct");
                }

                TaskTemplate template = PickTemplate(random);
                Dictionary<SlotKey, TemplateEntity> bindings = Bind(template, random);
                string key = Key(template, bindings);
                if (!targetKeys.Add(key))
                {
                    continue;
                }

                var choices = new List<int>();
                Experience first = MakeExperience(template, bindings, random, choices);
                var members = new List<int> { experiences.Count };
                experiences.Add(first);
                if (random.Next(3) == 0)
                {
                    members.Add(experiences.Count);
                    experiences.Add(MakeExperience(template, bindings, random, []));
                }

                string id = "q" + (pending.Count + 1).ToString("D4", CultureInfo.InvariantCulture);
                pending.Add(([.. members], MakeQuery(id, template, bindings, choices, first, random)));
            }

            for (int i = 0; i < distractorCount; i++)
            {
                experiences.Add(Distractor(random, targetKeys));
            }

            // Shuffle so that ids carry no hint of relevance, then map each query's members to ids (positions from 1).
            int[] order = [.. Enumerable.Range(0, experiences.Count)];
            random.Shuffle(order);
            var idOf = new long[order.Length];
            for (int position = 0; position < order.Length; position++)
            {
                idOf[order[position]] = position + 1;
            }

            Experience[] shuffled = [.. order.Select(i => experiences[i])];
            LabelledQuery[] queries = [.. pending.Select(p => p.Query with { Relevant = [.. p.Members.Select(m => idOf[m]).Order()] })];
            return (new EvaluationSet(shuffled, queries), targetKeys);
        }

        public Experience Distractor(Random random, HashSet<string> targetKeys)
        {
            while (true)
            {
                TaskTemplate template = PickTemplate(random);
                Dictionary<SlotKey, TemplateEntity> bindings = Bind(template, random);
                if (!targetKeys.Contains(Key(template, bindings)))
                {
                    return MakeExperience(template, bindings, random, []);
                }
            }
        }

        private TaskTemplate PickTemplate(Random random)
        {
            // A domain uniformly, then a template of it with a weight of its number of distinct tasks (capped).
            (TaskTemplate[] tasks, double[] cumulative) = _domains[random.Next(_domains.Length)];
            double draw = random.NextDouble() * cumulative[^1];
            int index = Array.BinarySearch(cumulative, draw);
            return tasks[Math.Min(index < 0 ? ~index : index, tasks.Length - 1)];
        }

        private Dictionary<SlotKey, TemplateEntity> Bind(TaskTemplate template, Random random)
        {
            var bindings = new Dictionary<SlotKey, TemplateEntity>();
            foreach (SlotKey slot in template.AllSlots)
            {
                IReadOnlyList<TemplateEntity> candidates = templates.Entities[slot.Name];
                TemplateEntity entity;
                do
                {
                    entity = candidates[random.Next(candidates.Count)];
                }
                while (bindings.Any(b => b.Key.Name == slot.Name && ReferenceEquals(b.Value, entity)));
                bindings[slot] = entity;
            }

            return bindings;
        }

        private static string Key(TaskTemplate template, Dictionary<SlotKey, TemplateEntity> bindings) =>
            template.Index.ToString(CultureInfo.InvariantCulture) + "|" + string.Join("|", template.TaskSlots.Select(s => bindings[s].Canonical));

        private static Experience MakeExperience(TaskTemplate template, Dictionary<SlotKey, TemplateEntity> bindings, Random random, List<int> choices)
        {
            string task = Capitalise(string.Join(" ", template.Clauses.Select(c => TemplateRenderer.RenderFresh(c, bindings, random, choices))));
            var plan = new List<string>();
            foreach (TemplateStep step in template.Steps)
            {
                if (!step.Optional || random.Next(2) == 0)
                {
                    plan.Add(Capitalise(TemplateRenderer.RenderFresh(step.Segments, bindings, random, [])));
                }
            }

            bool success = random.Next(4) != 0;
            string slowest = plan[random.Next(plan.Count)];
            string reason = FailureReasons[random.Next(FailureReasons.Length)];
            string text = success
                ? $"Worked through {plan.Count} steps; '{slowest}' took the longest."
                : $"Stopped at '{slowest}': {reason}.";
            string suggestions = $"Start with '{plan[0]}' and check the result of '{slowest}' before moving on.";
            string difficulty = plan.Count <= 4 ? "easy" : plan.Count <= 5 ? "medium" : "hard";
            return new Experience(
                0, task, template.Domain, difficulty, plan, text, suggestions,
                success ? ExperienceOutcome.Success : ExperienceOutcome.Failure, success ? null : reason, SourceFramework, []);
        }

        private LabelledQuery MakeQuery(
            string id, TaskTemplate template, Dictionary<SlotKey, TemplateEntity> bindings, List<int> choices, Experience target, Random random)
        {
            // Reordering needs a second clause that can stand first (not one that begins with "and" or is optional);
            // dropping always applies (every task has articles), surface forms need an entity that has another name.
            bool reorderable = template.Clauses.Count == 2 && template.Clauses[1][0] is LiteralSegment first
                && !first.Text.StartsWith("and ", StringComparison.Ordinal);
            bool hasForms = template.TaskSlots.Any(s => bindings[s].Forms.Count > 1);
            List<string> applicable = [.. Variations.Where(v => v switch
            {
                "reorder" => reorderable,
                "surface" => hasForms,
                _ => true,
            })];
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(applicable));
            List<string> chosen = [.. applicable.Take(2).OrderBy(v => Array.IndexOf(Variations, v))];
            var variation = new RenderVariation(choices, chosen.Contains("synonyms"), chosen.Contains("drop"), chosen.Contains("surface"));
            string[] clauses = [.. template.Clauses.Select(c => TemplateRenderer.RenderVaried(c, bindings, random, templates, variation)).Where(c => c.Length > 0)];
            if (clauses.Length < 2)
            {
                chosen.Remove("reorder"); // the drop variation emptied the second clause
            }

            string text = chosen.Contains("reorder") ? clauses[1] + ", " + clauses[0] : string.Join(" ", clauses);
            // A reordered task opens with its second clause, which reads well only bare or after "Task:".
            string frame = chosen.Contains("reorder") ? Frames[random.Next(2) == 0 ? 0 : 5] : Frames[random.Next(Frames.Length)];
            string query = frame == "{0}" ? Capitalise(text) : string.Format(CultureInfo.InvariantCulture, frame, Decapitalise(text));

            int done = Math.Max(2, target.Plan.Count / 2);
            string[] plan = [.. target.Plan.Take(done).Select(s => TemplateRenderer.ReplaceWords(s, templates, bindings, random))];
            string summary = $"'{plan[^1]}' went wrong: {FailureReasons[random.Next(FailureReasons.Length)]}.";
            return new LabelledQuery(id, query, [], [.. chosen], plan, summary);
        }

        private static double[] CumulativeWeights(ExperienceTemplates templates, IEnumerable<TaskTemplate> tasks)
        {
            var weights = new List<double>();
            double sum = 0;
            foreach (TaskTemplate task in tasks)
            {
                double combinations = 1;
                var used = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (SlotKey slot in task.TaskSlots)
                {
                    int taken = used.GetValueOrDefault(slot.Name);
                    combinations *= templates.Entities[slot.Name].Count - taken;
                    used[slot.Name] = taken + 1;
                }

                sum += Math.Min(combinations, TemplateWeightCap);
                weights.Add(sum);
            }

            return [.. weights];
        }
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Decapitalise(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];
}
