using System.Globalization;

namespace Planning.Knowledge;

/// <summary>One item the gate judges: its fused ranking entry and the stored experience.</summary>
internal sealed record GateItem(FusedItem Fused, Experience Experience);

/// <summary>The gate's verdict on one item.</summary>
internal sealed record GateVerdict(GateItem Item, double Score, bool Withheld, string? Reason);

/// <summary>
/// The disagreement gate over a window of fused results (best first). Rules, with thresholds from
/// <see cref="KnowledgeBaseOptions"/>; similarities are lexical (<see cref="StepSets"/>, <see cref="TermVector"/>):
/// <list type="number">
/// <item>(a) Contradiction: an item whose outcome is the opposite of a higher-ranked kept item's, on a near-identical
/// task (task similarity &gt;= <see cref="KnowledgeBaseOptions.ContradictionTaskSimilarity"/>) with the same approach
/// (step-set similarity &gt;= <see cref="KnowledgeBaseOptions.ContradictionStepSimilarity"/>), is withheld; the reason
/// names the other id.</item>
/// <item>(b) Feedback stage only, when the agent's plan has steps: an item whose step set's similarity to the agent's current plan is below
/// <see cref="KnowledgeBaseOptions.PlanAgreementThreshold"/> has its score multiplied by
/// <see cref="KnowledgeBaseOptions.PlanDisagreementFactor"/>.</item>
/// <item>(c) Consensus: when at least <see cref="KnowledgeBaseOptions.ConsensusMinimumItems"/> items are kept, one whose
/// mean step-set similarity to the other kept items is below <see cref="KnowledgeBaseOptions.ConsensusThreshold"/> has
/// its score multiplied by <see cref="KnowledgeBaseOptions.ConsensusDisagreementFactor"/>.</item>
/// </list>
/// (b) and (c) are computed from the same similarities before any score changes, so their order does not matter.
/// </summary>
internal static class DisagreementGate
{
    public static List<GateVerdict> Apply(IReadOnlyList<GateItem> window, IReadOnlyList<string>? currentPlan, KnowledgeBaseOptions options)
    {
        int n = window.Count;
        TermVector[] tasks = [.. window.Select(static item => TextAnalysis.Vector(item.Experience.Task))];
        TermVector[][] steps = [.. window.Select(static item => StepSets.Vectors(item.Experience.Plan))];
        bool[] withheld = new bool[n];
        var reasons = new List<string>[n];
        double[] scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            reasons[i] = [];
            scores[i] = window[i].Fused.Score;
        }

        // (a)
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < j; i++)
            {
                if (withheld[i] || window[i].Experience.Outcome == window[j].Experience.Outcome)
                {
                    continue;
                }

                double taskSimilarity = TermVector.Cosine(tasks[i], tasks[j]);
                if (taskSimilarity < options.ContradictionTaskSimilarity)
                {
                    continue;
                }

                double stepSimilarity = StepSets.Similarity(steps[i], steps[j]);
                if (stepSimilarity < options.ContradictionStepSimilarity)
                {
                    continue;
                }

                withheld[j] = true;
                reasons[j].Add(Format(
                    $"contradicts experience {window[i].Experience.Id} ranked above it: {Name(window[j].Experience.Outcome)} where it records {Name(window[i].Experience.Outcome)} on a near-identical task (task similarity {taskSimilarity:0.00} >= {options.ContradictionTaskSimilarity:0.00}) with the same approach (step-set similarity {stepSimilarity:0.00} >= {options.ContradictionStepSimilarity:0.00})"));
                break;
            }
        }

        int[] kept = [.. Enumerable.Range(0, n).Where(i => !withheld[i])];
        double[] factor = new double[n];
        Array.Fill(factor, 1.0);

        // (b)
        if (currentPlan is { Count: > 0 })
        {
            TermVector[] plan = StepSets.Vectors(currentPlan);
            foreach (int i in kept)
            {
                double similarity = StepSets.Similarity(steps[i], plan);
                if (similarity < options.PlanAgreementThreshold)
                {
                    factor[i] *= options.PlanDisagreementFactor;
                    reasons[i].Add(Format(
                        $"disagrees with the current plan: step-set similarity {similarity:0.00} < {options.PlanAgreementThreshold:0.00} (score x {options.PlanDisagreementFactor:0.##})"));
                }
            }
        }

        // (c)
        if (kept.Length >= options.ConsensusMinimumItems)
        {
            foreach (int i in kept)
            {
                double sum = 0;
                foreach (int j in kept)
                {
                    if (j != i)
                    {
                        sum += StepSets.Similarity(steps[i], steps[j]);
                    }
                }

                double mean = sum / (kept.Length - 1);
                if (mean < options.ConsensusThreshold)
                {
                    factor[i] *= options.ConsensusDisagreementFactor;
                    reasons[i].Add(Format(
                        $"disagrees with the other results: mean step-set similarity {mean:0.00} to the other {kept.Length - 1} < {options.ConsensusThreshold:0.00} (score x {options.ConsensusDisagreementFactor:0.##})"));
                }
            }
        }

        var verdicts = new List<GateVerdict>(n);
        for (int i = 0; i < n; i++)
        {
            verdicts.Add(new GateVerdict(window[i], scores[i] * factor[i], withheld[i], reasons[i].Count == 0 ? null : string.Join("; ", reasons[i])));
        }

        return verdicts;
    }

    private static string Name(ExperienceOutcome outcome) => ExperienceJson.OutcomeName(outcome);

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
