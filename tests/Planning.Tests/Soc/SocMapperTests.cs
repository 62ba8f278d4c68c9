using Planning.Graph;
using Planning.Soc;
using Planning.Solving;

namespace Planning.Tests.Soc;

public sealed class SocMapperTests
{
    private static readonly SocMappingOptions Options = new() { Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(30), Workers = 1, Seed = 3 } };

    // The makespan model rarely closes its gap in the limit; a deterministic work limit makes it repeatable.
    private static readonly SocMappingOptions Exact = new()
    {
        Objective = SocMappingObjective.Makespan,
        Solver = new SolverOptions { TimeLimit = TimeSpan.FromSeconds(60), DeterministicTimeLimit = 2, Workers = 1, Seed = 3 },
    };

    public static TheoryData<string> Models() => [.. LlmSpec.Names];

    [Theory]
    [MemberData(nameof(Models))]
    public void Map_1024TokenPrefill_MakespanProvenOptimalAndEverythingAccountedFor(string name)
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Get(name));
        var kernels = cost.Prefill(1024);

        // Seed 1 (the CLI's default): the local search's walks depend on the seed, and with a few seeds (0 of seeds 0-11
        // for the 8B) they stop a few ms above the bound, where CP-SAT does not close the gap in the limit (docs/benchmarks.md).
        var result = SocMapper.Map(cost, 1024, Options with { Solver = Options.Solver with { Seed = 1 } });

        // The default objective is the makespan: a schedule that meets the proven bound.
        Assert.Equal(SocMappingObjective.Makespan, result.Objective);
        Assert.Equal(SolveStatus.Optimal, result.Status);
        Assert.Equal(result.LowerBoundMilliseconds, result.MakespanMilliseconds);
        Assert.Equal(0, result.Gap);
        Assert.Equal(SolveStatus.Optimal, result.BottleneckStatus);
        Assert.Equal(result.BottleneckBoundMilliseconds, result.BottleneckMilliseconds);
        Assert.Equal(kernels.ToArray(), result.Assignments.Select(a => a.Kernel).ToArray());
        Assert.All(result.Assignments, a => Assert.True(a.Kernel.MayRunOn(a.Accelerator)));

        // The evaluated schedule is a schedule: no accelerator runs two kernels at once, no kernel before its inputs.
        foreach (var lane in result.Assignments.GroupBy(a => a.Accelerator))
        {
            var ordered = lane.OrderBy(a => a.StartMilliseconds).ToArray();
            for (var i = 1; i < ordered.Length; i++)
            {
                Assert.True(ordered[i].StartMilliseconds >= ordered[i - 1].EndMilliseconds - 1e-9);
            }
        }

        var predecessors = SocMappingProblem.PrefillPredecessors(kernels);
        for (var k = 0; k < kernels.Length; k++)
        {
            Assert.All(predecessors[k], p => Assert.True(result.Assignments[k].StartMilliseconds >= result.Assignments[p].EndMilliseconds - 1e-9));
        }

        Assert.True(result.MakespanMilliseconds >= result.LowerBoundMilliseconds);
        Assert.True(result.LowerBoundMilliseconds >= result.BottleneckBoundMilliseconds);
        Assert.True(result.MakespanMilliseconds >= result.BottleneckMilliseconds);
        Assert.True(result.PeakDramBytesPerSecond > 0);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Map_MakespanObjective_NoWorseThanTheBottleneckScheduleAndBounded(string name)
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Get(name));

        var bottleneck = SocMapper.Map(cost, 1024, Options with { Objective = SocMappingObjective.Bottleneck });
        var exact = SocMapper.Map(cost, 1024, Exact);

        Assert.Contains(exact.Status, new[] { SolveStatus.Optimal, SolveStatus.Feasible });
        Assert.True(exact.MakespanMilliseconds <= bottleneck.MakespanMilliseconds);
        Assert.True(exact.MakespanMilliseconds >= exact.LowerBoundMilliseconds);
        Assert.True(exact.LowerBoundMilliseconds >= bottleneck.LowerBoundMilliseconds);
        Assert.Equal(exact.Status == SolveStatus.Optimal, exact.Gap == 0);
    }

    [Fact]
    public void Map_SameSeedTwice_SameMapping()
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama31_8B);

        var first = SocMapper.Map(cost, 777, Exact);
        var second = SocMapper.Map(cost, 777, Exact);

        Assert.Equal(first.Assignments.Select(a => a.Accelerator), second.Assignments.Select(a => a.Accelerator));
        Assert.Equal(first.MakespanMilliseconds, second.MakespanMilliseconds);
    }

    [Fact]
    public void Map_DeadlineNoMappingMeets_InfeasibleNamesTheCapacityFamily()
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);

        var result = SocMapper.Map(cost, 1024, Options with { DeadlineMilliseconds = 1 });

        Assert.Equal(SolveStatus.Infeasible, result.Status);
        Assert.Contains("LoadWithinCapacity", result.InfeasibleConstraints);
        Assert.Empty(result.Assignments);
        Assert.Null(result.MakespanMilliseconds);
        Assert.Null(result.Graph);
    }

    [Fact]
    public void Map_Graph_KernelsOnTheirDevicesWithPrecedences()
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);
        var kernels = cost.Prefill(600);

        var result = SocMapper.Map(cost, 600, Options);
        var graph = result.Graph!;

        var vertices = graph.OfKind<KernelVertex>();
        Assert.Equal(kernels.Select(k => k.Name), vertices.Select(v => v.Name));
        for (var k = 0; k < kernels.Length; k++)
        {
            var assignment = Assert.Single(graph.AssignmentsOf(vertices[k]));
            Assert.Equal(result.Assignments[k].Accelerator, ((DeviceVertex)assignment.Resource).DeviceKind);
        }

        var predecessors = SocMappingProblem.PrefillPredecessors(kernels);
        Assert.Equal(predecessors.Sum(p => p.Length), graph.Graph.Edges.Count(e => e.Kind == EdgeKind.Precedes));
        Assert.Equal(predecessors[1].Select(p => vertices[p]), graph.PredecessorsOf(vertices[1]));
    }

    [Fact]
    public void Map_PromptOutOfRange_NamesTheField()
    {
        var cost = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);

        Assert.Equal("promptTokens", Assert.Throws<PlanningInputException>(() => SocMapper.Map(cost, 0, Options)).Field);
        Assert.Equal("deadlineMilliseconds", Assert.Throws<PlanningInputException>(() => SocMapper.Map(cost, 10, Options with { DeadlineMilliseconds = -1 })).Field);
    }
}
