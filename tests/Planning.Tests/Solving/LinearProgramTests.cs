using Planning.Solving;

namespace Planning.Tests.Solving;

public sealed class LinearProgramTests
{
    private static readonly SolverOptions Options = new() { TimeLimit = TimeSpan.FromSeconds(5), Workers = 1 };

    [Fact]
    public void Solve_GlopLp_MatchesHandSolvedOptimum()
    {
        // max 3x + 2y subject to x + y <= 4, x + 3y <= 6, x <= 3: the optimum is the vertex x = 3, y = 1, value 11.
        using var solver = LinearProgram.Create(LinearBackend.Glop);
        var x = solver.MakeNumVar(0, 3, "x");
        var y = solver.MakeNumVar(0, double.PositiveInfinity, "y");
        solver.Add(x + y <= 4);
        solver.Add(x + (3 * y) <= 6);
        solver.Maximize((3 * x) + (2 * y));

        var result = LinearProgram.Solve(solver, Options);

        Assert.Equal(SolveStatus.Optimal, result.Status);
        Assert.Equal(11.0, result.Objective!.Value, 6);
        Assert.Equal(3.0, x.SolutionValue(), 6);
        Assert.Equal(1.0, y.SolutionValue(), 6);
    }

    [Fact]
    public void Solve_ScipMilp_IntegralityChangesTheOptimum()
    {
        // max x + y subject to 2x + 2y <= 5 over integers: the LP optimum is 2.5, the integral one 2.
        using var solver = LinearProgram.Create(LinearBackend.Scip);
        var x = solver.MakeIntVar(0, 10, "x");
        var y = solver.MakeIntVar(0, 10, "y");
        solver.Add((2 * x) + (2 * y) <= 5);
        solver.Maximize(x + y);

        var result = LinearProgram.Solve(solver, Options);

        Assert.Equal(SolveStatus.Optimal, result.Status);
        Assert.Equal(2.0, result.Objective!.Value, 6);
        Assert.Equal(2.0, result.BestBound, 6);
    }

    [Fact]
    public void Solve_InfeasibleLp_ReportsInfeasible()
    {
        using var solver = LinearProgram.Create(LinearBackend.Glop);
        var x = solver.MakeNumVar(0, 1, "x");
        solver.Add(x >= 2);
        solver.Minimize(x);

        var result = LinearProgram.Solve(solver, Options);

        Assert.Equal(SolveStatus.Infeasible, result.Status);
        Assert.False(result.IsSuccess);
    }
}
