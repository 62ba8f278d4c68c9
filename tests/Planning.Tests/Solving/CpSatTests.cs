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
}
