using System.Globalization;

namespace Planning.Knowledge;

/// <summary>
/// How a <see cref="KnowledgeBase"/> retrieves and gates. Every threshold of the disagreement gate is here, so that a
/// caller can state what it ran with. <see cref="Validate"/> names a bad field.
/// </summary>
public sealed record KnowledgeBaseOptions
{
    /// <summary>The defaults stated on each property.</summary>
    public static KnowledgeBaseOptions Default { get; } = new();

    /// <summary>
    /// How the two rankings are combined. Default <see cref="FusionRule.WeightedSum"/> with <see cref="Bm25Weight"/> 0.3:
    /// chosen on one half of the labelled set (data/kb-eval) and confirmed on the other, where it beats BM25, dense and
    /// reciprocal rank fusion on recall@5 (docs/benchmarks.md, "Agent KB").
    /// </summary>
    public FusionRule Fusion { get; init; } = FusionRule.WeightedSum;

    /// <summary>The k of reciprocal rank fusion, 1 / (k + rank). Positive; default 60 (the paper's value).</summary>
    public double RrfK { get; init; } = 60;

    /// <summary>The weight of BM25 in <see cref="FusionRule.WeightedSum"/>, in [0, 1]; dense gets 1 - w. Default 0.3 (see <see cref="Fusion"/>).</summary>
    public double Bm25Weight { get; init; } = 0.3;

    /// <summary>How many candidates each retriever returns before fusion. At least 1; default 100.</summary>
    public int CandidateDepth { get; init; } = 100;

    /// <summary>
    /// The largest collection searched exactly (every vector scored). Above it the dense retriever uses an IVF-flat
    /// index (k-means lists, <see cref="IvfProbes"/> of them scanned per query). Default 20,000.
    /// </summary>
    public int ExactDenseLimit { get; init; } = 20_000;

    /// <summary>The number of IVF lists; 0 (the default) means round(sqrt(n)) at training time.</summary>
    public int IvfLists { get; init; }

    /// <summary>The number of IVF lists scanned per query; 0 (the default) means max(8, ceil(lists / 8)).</summary>
    public int IvfProbes { get; init; }

    /// <summary>The seed of the IVF index's k-means (initial centres, training sample). Default 19.</summary>
    public int IvfSeed { get; init; } = 19;

    /// <summary>Whether the planning and feedback stages apply the disagreement gate. Default true.</summary>
    public bool GateEnabled { get; init; } = true;

    /// <summary>
    /// Rule (a): two items with opposite outcomes whose tasks have at least this similarity (cosine of their stemmed
    /// term counts) ... Default 0.9.
    /// </summary>
    public double ContradictionTaskSimilarity { get; init; } = 0.9;

    /// <summary>
    /// ... and whose step sets have at least this similarity (<c>StepSetSimilarity</c>) contradict each other: the
    /// lower-ranked one is withheld. Default 0.8.
    /// </summary>
    public double ContradictionStepSimilarity { get; init; } = 0.8;

    /// <summary>
    /// Rule (b), feedback stage only: an item whose step set's similarity to the agent's current plan is below this is
    /// down-weighted by <see cref="PlanDisagreementFactor"/>. Default 0.2.
    /// </summary>
    public double PlanAgreementThreshold { get; init; } = 0.2;

    /// <summary>The factor rule (b) multiplies a score by, in [0, 1]. Default 0.5.</summary>
    public double PlanDisagreementFactor { get; init; } = 0.5;

    /// <summary>
    /// Rule (c): an item whose mean step-set similarity to the other kept items of the gate's window is below this is
    /// down-weighted by <see cref="ConsensusDisagreementFactor"/>. Default 0.15.
    /// </summary>
    public double ConsensusThreshold { get; init; } = 0.15;

    /// <summary>The factor rule (c) multiplies a score by, in [0, 1]. Default 0.5.</summary>
    public double ConsensusDisagreementFactor { get; init; } = 0.5;

    /// <summary>Rule (c) applies only when the window keeps at least this many items (a consensus needs others). Default 3.</summary>
    public int ConsensusMinimumItems { get; init; } = 3;

    /// <summary>The gate examines the top (k x this) fused candidates, so that withheld items are replaced. At least 1; default 2.</summary>
    public int GateWindowFactor { get; init; } = 2;

    /// <summary>The most results a search may ask for. Default 100.</summary>
    public int MaxResults { get; init; } = 100;

    /// <summary>How many experiences the command line ingests per transaction. At least 1; default 256.</summary>
    public int IngestBatchSize { get; init; } = 256;

    /// <summary>Checks the options and throws <see cref="PlanningInputException"/> naming the bad field.</summary>
    /// <returns>These options.</returns>
    public KnowledgeBaseOptions Validate()
    {
        Positive(nameof(RrfK), RrfK);
        UnitInterval(nameof(Bm25Weight), Bm25Weight);
        AtLeast(nameof(CandidateDepth), CandidateDepth, 1);
        AtLeast(nameof(ExactDenseLimit), ExactDenseLimit, 0);
        AtLeast(nameof(IvfLists), IvfLists, 0);
        AtLeast(nameof(IvfProbes), IvfProbes, 0);
        UnitInterval(nameof(ContradictionTaskSimilarity), ContradictionTaskSimilarity);
        UnitInterval(nameof(ContradictionStepSimilarity), ContradictionStepSimilarity);
        UnitInterval(nameof(PlanAgreementThreshold), PlanAgreementThreshold);
        UnitInterval(nameof(PlanDisagreementFactor), PlanDisagreementFactor);
        UnitInterval(nameof(ConsensusThreshold), ConsensusThreshold);
        UnitInterval(nameof(ConsensusDisagreementFactor), ConsensusDisagreementFactor);
        AtLeast(nameof(ConsensusMinimumItems), ConsensusMinimumItems, 2);
        AtLeast(nameof(GateWindowFactor), GateWindowFactor, 1);
        AtLeast(nameof(MaxResults), MaxResults, 1);
        AtLeast(nameof(IngestBatchSize), IngestBatchSize, 1);
        if (!Enum.IsDefined(Fusion))
        {
            throw new PlanningInputException(JsonName(nameof(Fusion)), string.Create(CultureInfo.InvariantCulture, $"{(int)Fusion} is not a fusion rule"));
        }

        return this;
    }

    private static string JsonName(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static void Positive(string name, double value)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            throw new PlanningInputException(JsonName(name), string.Create(CultureInfo.InvariantCulture, $"must be positive and finite, got {value}"));
        }
    }

    private static void UnitInterval(string name, double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new PlanningInputException(JsonName(name), string.Create(CultureInfo.InvariantCulture, $"must be in [0, 1], got {value}"));
        }
    }

    private static void AtLeast(string name, int value, int least)
    {
        if (value < least)
        {
            throw new PlanningInputException(JsonName(name), string.Create(CultureInfo.InvariantCulture, $"must be at least {least}, got {value}"));
        }
    }
}
