using Planning.Execution.Adapters.Rollout;
using Planning.Execution.Rollout;
using Planning.Rollout;

namespace Planning.Execution.Tests.Adapters;

public sealed class RolloutRouterExportTests
{
    [Theory]
    [InlineData(RolloutTraceFamily.LongTail, 16, 3)]
    [InlineData(RolloutTraceFamily.Agentic, 64, 5)]
    public void Plan_GeneratedTrace_LaysInstancesOnContiguousGpusAndPlacesEveryTrajectory(RolloutTraceFamily family, int gpus, int seed)
    {
        var trace = RolloutTraceGenerator.Generate(family, prompts: 8, samplesPerPrompt: 4, seed: seed).Trajectories;
        var cost = CalibratedCostModel.ForModel("8b");
        var planner = HeddlePlanner.Fit(HeddlePlanner.GenerateTrainingTrace(family, seed).Trajectories);
        var policy = new HeddleRolloutPolicy(planner);

        var plan = RolloutRouterExport.Plan(trace, gpus, cost, policy, RolloutSimulationOptions.Default);

        // The layout is the policy's own choice, on GPUs taken in order; an instance of at most a node's GPUs stays in one node.
        Assert.Equal(policy.ChooseDegrees(trace, gpus, cost, RolloutSimulationOptions.Default), plan.Instances.Select(i => i.TensorParallel));
        Assert.Equal(Enumerable.Range(0, plan.Instances.Sum(i => i.TensorParallel)), plan.Instances.SelectMany(i => i.Devices));
        Assert.All(plan.Instances, i => Assert.Equal(i.TensorParallel, i.LocalDevices.Distinct().Count()));
        Assert.Equal(trace.Select(t => t.Id), plan.TrajectoryIds);
        Assert.All(plan.InstanceOf, i => Assert.InRange(i, 0, plan.Instances.Length - 1));
        Assert.True(plan.PredictedMakespanSeconds > 0);
    }

    [Fact]
    public void Plan_PlacementOff_NamesTheMechanisms()
    {
        var trace = RolloutTraceGenerator.Generate(RolloutTraceFamily.Balanced, prompts: 2, samplesPerPrompt: 2, seed: 1).Trajectories;
        var planner = HeddlePlanner.Fit(HeddlePlanner.GenerateTrainingTrace(RolloutTraceFamily.Balanced, 1).Trajectories, HeddleOptions.Default with { Mechanisms = HeddleMechanisms.Priority });

        var error = Assert.Throws<PlanningInputException>(() => RolloutRouterExport.Plan(trace, 8, CalibratedCostModel.ForModel("8b"), new HeddleRolloutPolicy(planner), RolloutSimulationOptions.Default));

        Assert.Equal("mechanisms", error.Field);
    }
}
