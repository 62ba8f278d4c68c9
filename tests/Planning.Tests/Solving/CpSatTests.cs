using Google.OrTools.Sat;
using Planning.Solving;

namespace Planning.Tests.Solving;

public sealed class CpSatTests
{
    private static readonly SolverOptions Options = new() { TimeLimit = TimeSpan.FromSeconds(5), Workers = 1 };

    [Fact]
    public void Solve_SmallKnapsack_IsOptimalWithZeroGap()
    {
        // max 5a + 4b + 3c subject to 2a + 3b + c <= 5 over booleans: a + b weighs 5 and gives 9; a + c gives 8, b + c 7,
        // and all three weigh 6.
        var model = new CpModel();
        var a = model.NewBoolVar("a");
        var b = model.NewBoolVar("b");
        var c = model.NewBoolVar("c");
        model.Add(LinearExpr.WeightedSum([a, b, c], [2, 3, 1]) <= 5);
        model.Maximize(LinearExpr.WeightedSum([a, b, c], [5, 4, 3]));

        var solution = CpSat.Solve(model, Options);

        Assert.Equal(SolveStatus.Optimal, solution.Result.Status);
        Assert.Equal(9.0, solution.Result.Objective);
        Assert.Equal(0.0, solution.Result.RelativeGap);
        Assert.True(solution.Value(a) && solution.Value(b) && !solution.Value(c));
    }

    [Fact]
    public void Solve_Infeasible_ReportsInfeasibleAndNoValues()
    {
        var model = new CpModel();
        var x = model.NewIntVar(0, 3, "x");
        model.Add(x >= 5);

        var solution = CpSat.Solve(model, Options);

        Assert.Equal(SolveStatus.Infeasible, solution.Result.Status);
        Assert.False(solution.Result.IsSuccess);
        Assert.Null(solution.Result.RelativeGap);
        Assert.Throws<InvalidOperationException>(() => solution.Value(x));
    }

    [Fact]
    public void Solve_AlreadyCancelled_ReturnsUnknownWithoutSearching()
    {
        var model = new CpModel();
        var x = model.NewIntVar(0, 3, "x");
        model.Maximize(x);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var solution = CpSat.Solve(model, Options, cancelled.Token);

        Assert.Equal(SolveStatus.Unknown, solution.Result.Status);
    }

    [Fact]
    public void Solve_HardModelWithShortLimit_ReturnsWithinTheLimitAndAResult()
    {
        // A pigeonhole-flavoured model that CP-SAT cannot close instantly: 14 items into 13 bins of size 1, maximise placed.
        var model = new CpModel();
        const int items = 14, bins = 13;
        var place = new BoolVar[items, bins];
        for (var i = 0; i < items; i++)
        {
            for (var b = 0; b < bins; b++)
            {
                place[i, b] = model.NewBoolVar($"place_i{i}_b{b}");
            }

            model.Add(LinearExpr.Sum(Enumerable.Range(0, bins).Select(b => place[i, b])) <= 1);
        }

        for (var b = 0; b < bins; b++)
        {
            model.Add(LinearExpr.Sum(Enumerable.Range(0, items).Select(i => place[i, b])) <= 1);
        }

        model.Maximize(LinearExpr.Sum(Enumerable.Range(0, items).SelectMany(i => Enumerable.Range(0, bins).Select(b => place[i, b]))));

        var solution = CpSat.Solve(model, Options with { TimeLimit = TimeSpan.FromMilliseconds(200) });

        Assert.True(solution.Result.IsSuccess);
        Assert.Equal(13.0, solution.Result.Objective);
        Assert.True(solution.Result.WallTime < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Validate_NonPositiveTimeLimit_NamesTheField()
    {
        var ex = Assert.Throws<PlanningInputException>(() => new SolverOptions { TimeLimit = TimeSpan.Zero }.Validate());

        Assert.Equal("timeLimit", ex.Field);
    }

    [Fact]
    public void Solve_DeterministicLimitWithOneWorker_StopsOnWorkAndRepeatsItsAnswer()
    {
        // A 300-item knapsack with correlated weights and values: the search cannot prove it within the work limit, so
        // the limit (not the minute of wall clock) ends it, and with one worker it ends at the same point every run.
        var random = new Random(11);
        var weights = Enumerable.Range(0, 300).Select(_ => random.Next(1_000, 100_000)).ToArray();
        var values = weights.Select(w => w + random.Next(0, 500)).ToArray();
        CpModel Model(out BoolVar[] take)
        {
            var model = new CpModel();
            var chosen = Enumerable.Range(0, weights.Length).Select(i => model.NewBoolVar($"take_i{i}")).ToArray();
            model.Add(LinearExpr.WeightedSum(chosen, weights) <= weights.Sum() / 3);
            model.Maximize(LinearExpr.WeightedSum(chosen, values));
            take = chosen;
            return model;
        }

        var options = Options with { Workers = 1, TimeLimit = TimeSpan.FromSeconds(60), DeterministicTimeLimit = 0.05 };

        var first = CpSat.Solve(Model(out var takeFirst), options);
        var second = CpSat.Solve(Model(out var takeSecond), options);

        Assert.Equal(SolveStatus.Feasible, first.Result.Status);
        Assert.True(first.Result.WallTime < TimeSpan.FromSeconds(30));
        Assert.Equal(first.Result.Objective, second.Result.Objective);
        Assert.Equal(takeFirst.Select(t => first.Value(t)), takeSecond.Select(t => second.Value(t)));
    }

    [Fact]
    public void Validate_NonPositiveDeterministicTimeLimit_NamesTheField()
    {
        var ex = Assert.Throws<PlanningInputException>(() => new SolverOptions { DeterministicTimeLimit = 0 }.Validate());

        Assert.Equal("deterministicTimeLimit", ex.Field);
    }
}
