using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class DisagreementGateTests
{
    private static readonly string[] Deploy = ["build the docker image", "push the image to the registry", "apply the kubernetes manifest"];

    /// <summary>A window in the given order, with fused scores 1, 0.9, 0.8, ... and ids 1, 2, 3, ...</summary>
    private static List<GateItem> Window(params Experience[] experiences) =>
        [.. experiences.Select((experience, i) => new GateItem(new FusedItem(i + 1, 1 - (0.1 * i), i + 1, i + 1), experience with { Id = i + 1 }))];

    [Fact]
    public void Apply_OppositeOutcomesSameTaskSameSteps_LowerWithheldNamingTheOther()
    {
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy),
            KnowledgeTestData.Make("Deploy the model server to staging", [.. Deploy.Reverse()], ExperienceOutcome.Failure)), null, KnowledgeBaseOptions.Default);
        Assert.Equal([false, true], verdicts.Select(static v => v.Withheld));
        Assert.Null(verdicts[0].Reason);
        Assert.Equal(
            "contradicts experience 1 ranked above it: failure where it records success on a near-identical task (task similarity 1.00 >= 0.90) with the same approach (step-set similarity 1.00 >= 0.80)",
            verdicts[1].Reason);
        Assert.Equal(0.9, verdicts[1].Score, 12);
    }

    [Fact]
    public void Apply_SameOutcome_NotWithheld()
    {
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy, ExperienceOutcome.Failure),
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy, ExperienceOutcome.Failure)), null, KnowledgeBaseOptions.Default);
        Assert.All(verdicts, static v => Assert.False(v.Withheld));
        Assert.All(verdicts, static v => Assert.Null(v.Reason));
    }

    [Fact]
    public void Apply_OppositeOutcomesDifferentApproach_NotWithheld()
    {
        // Same task, opposite outcomes, but the failure took another route: evidence about two approaches, not a contradiction.
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy),
            KnowledgeTestData.Make("Deploy the model server to staging", ["copy the binary over scp", "start it with systemd"], ExperienceOutcome.Failure)), null, KnowledgeBaseOptions.Default);
        Assert.All(verdicts, static v => Assert.False(v.Withheld));
    }

    [Fact]
    public void Apply_OppositeOutcomesDifferentTask_NotWithheld()
    {
        // Task term counts: {deploy, model, server, staging} and {deploy, model, server, production}: cosine 3/4 < 0.9.
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy),
            KnowledgeTestData.Make("Deploy the model server to production", Deploy, ExperienceOutcome.Failure)), null, KnowledgeBaseOptions.Default);
        Assert.All(verdicts, static v => Assert.False(v.Withheld));
        Assert.Equal(0.75, TermVector.Cosine(TextAnalysis.Vector("Deploy the model server to staging"), TextAnalysis.Vector("Deploy the model server to production")), 12);
    }

    [Fact]
    public void Apply_FeedbackPlanDisagrees_ScoreHalvedWithSimilarity()
    {
        // Item 2's steps share nothing with the current plan (similarity 0); item 1's are the plan's (similarity 1).
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Fix the flaky test", ["rerun the test", "read the log"]),
            KnowledgeTestData.Make("Fix the flaky test", ["order pizza"])), ["read the log", "rerun the test"], KnowledgeBaseOptions.Default);
        Assert.Equal([1.0, 0.45], verdicts.Select(static v => Math.Round(v.Score, 12)));
        Assert.Null(verdicts[0].Reason);
        Assert.Equal("disagrees with the current plan: step-set similarity 0.00 < 0.20 (score x 0.5)", verdicts[1].Reason);
        Assert.All(verdicts, static v => Assert.False(v.Withheld));
    }

    [Fact]
    public void Apply_FeedbackWithoutPlanSteps_RuleBNotApplied()
    {
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Fix the flaky test", ["rerun the test"]),
            KnowledgeTestData.Make("Fix the flaky test", ["order pizza"])), [], KnowledgeBaseOptions.Default);
        Assert.All(verdicts, static v => Assert.Null(v.Reason));
        Assert.Equal([1.0, 0.9], verdicts.Select(static v => Math.Round(v.Score, 12)));
    }

    [Fact]
    public void Apply_PlanningStage_RuleBNotApplied()
    {
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Fix the flaky test", ["rerun the test"]),
            KnowledgeTestData.Make("Fix the flaky test", ["order pizza"])), null, KnowledgeBaseOptions.Default);
        Assert.All(verdicts, static v => Assert.Null(v.Reason));
    }

    [Fact]
    public void Apply_OneItemAgainstTheConsensus_DownWeighted()
    {
        // Steps 1-3 are the same two steps (pairwise 1); item 4's share no term with them (0). Item 4's mean is 0 < 0.15;
        // items 1-3 have (1 + 1 + 0) / 3 = 0.67.
        string[] steps = ["restart the service", "check the health endpoint"];
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Service is down", steps),
            KnowledgeTestData.Make("Service is down again", steps),
            KnowledgeTestData.Make("Service down after deploy", steps),
            KnowledgeTestData.Make("Service is down", ["reformat the disk"])), null, KnowledgeBaseOptions.Default);
        Assert.Equal([1.0, 0.9, 0.8, 0.35], verdicts.Select(static v => Math.Round(v.Score, 12)));
        Assert.Equal([null, null, null, "disagrees with the other results: mean step-set similarity 0.00 to the other 3 < 0.15 (score x 0.5)"], verdicts.Select(static v => v.Reason));
    }

    [Fact]
    public void Apply_TooFewForConsensus_RuleCNotApplied()
    {
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Service is down", ["restart the service"]),
            KnowledgeTestData.Make("Service is down", ["reformat the disk"])), null, KnowledgeBaseOptions.Default);
        Assert.All(verdicts, static v => Assert.Null(v.Reason));
    }

    [Fact]
    public void Apply_WithheldItem_NotCountedInConsensus()
    {
        // Item 2 contradicts item 1 and is withheld; of the kept items 1, 3, 4 only item 4 disagrees.
        List<GateVerdict> verdicts = DisagreementGate.Apply(Window(
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy),
            KnowledgeTestData.Make("Deploy the model server to staging", Deploy, ExperienceOutcome.Failure),
            KnowledgeTestData.Make("Ship the model server", Deploy),
            KnowledgeTestData.Make("Ship the model server", ["write a poem"])), null, KnowledgeBaseOptions.Default);
        Assert.Equal([false, true, false, false], verdicts.Select(static v => v.Withheld));
        Assert.Equal("disagrees with the other results: mean step-set similarity 0.00 to the other 2 < 0.15 (score x 0.5)", verdicts[3].Reason);
        Assert.Null(verdicts[2].Reason);
    }
}
