using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class KnowledgeBaseOptionsTests
{
    [Fact]
    public void Validate_Defaults_StatedValues()
    {
        KnowledgeBaseOptions options = KnowledgeBaseOptions.Default.Validate();
        Assert.Equal(
            (FusionRule.WeightedSum, 60.0, 0.3, 100, 20_000, 0, 0, 19, 2, 100, 256),
            (options.Fusion, options.RrfK, options.Bm25Weight, options.CandidateDepth, options.ExactDenseLimit, options.IvfLists, options.IvfProbes, options.IvfSeed, options.GateWindowFactor, options.MaxResults, options.IngestBatchSize));
        Assert.Equal((0.9, 0.8, 0.2, 0.5, 0.15, 0.5, 3),
            (options.ContradictionTaskSimilarity, options.ContradictionStepSimilarity, options.PlanAgreementThreshold, options.PlanDisagreementFactor, options.ConsensusThreshold, options.ConsensusDisagreementFactor, options.ConsensusMinimumItems));
    }

    [Fact]
    public void Validate_BadValues_NameTheField()
    {
        Assert.Equal("rrfK", Assert.Throws<PlanningInputException>(() => (KnowledgeBaseOptions.Default with { RrfK = 0 }).Validate()).Field);
        Assert.Equal("bm25Weight", Assert.Throws<PlanningInputException>(() => (KnowledgeBaseOptions.Default with { Bm25Weight = 1.5 }).Validate()).Field);
        Assert.Equal("candidateDepth", Assert.Throws<PlanningInputException>(() => (KnowledgeBaseOptions.Default with { CandidateDepth = 0 }).Validate()).Field);
        Assert.Equal("consensusThreshold", Assert.Throws<PlanningInputException>(() => (KnowledgeBaseOptions.Default with { ConsensusThreshold = double.NaN }).Validate()).Field);
        Assert.Equal("consensusMinimumItems", Assert.Throws<PlanningInputException>(() => (KnowledgeBaseOptions.Default with { ConsensusMinimumItems = 1 }).Validate()).Field);
        PlanningInputException fusion = Assert.Throws<PlanningInputException>(() => (KnowledgeBaseOptions.Default with { Fusion = (FusionRule)9 }).Validate());
        Assert.Equal(("fusion", "9 is not a fusion rule"), (fusion.Field, fusion.Problem));
    }
}
