using System.Collections.Immutable;
using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace Planning.Rollout;

/// <summary>
/// Linear quantile regression: the coefficients <c>beta</c> minimising the pinball loss
/// <c>sum_i rho_tau(y_i - x_i . beta)</c>, <c>rho_tau(r) = r (tau - [r &lt; 0])</c>, by iteratively reweighted least
/// squares (each step a weighted ridge solve with MathNet.Numerics; weights <c>tau / |r|</c> above the fit and
/// <c>(1 - tau) / |r|</c> below, |r| floored at 1e-6; started from ordinary least squares, at most 100 steps, stopped
/// when no coefficient moves by 1e-7). A tiny ridge (1e-8 x the weighted sum of squares of column 0, usually the
/// intercept, on every other column) keeps constant features solvable. IRLS gets close but stalls near the kinks of
/// the loss, so its result is then polished to an exact minimiser by descending along the edges of the loss's
/// polyhedron from the nearest vertex (a simplex-style method; see the private <c>VertexDescent</c>). Deterministic.
/// </summary>
internal static class QuantileRegression
{
    private const int MaxSteps = 100;
    private const double Tolerance = 1e-7;

    /// <summary>Fits the coefficients.</summary>
    /// <param name="features">One row of features per observation, all the same length (put a 1 first for an intercept).</param>
    /// <param name="targets">The observed values, one per row.</param>
    /// <param name="quantile">The quantile tau, strictly between 0 and 1 (0.5 is the median).</param>
    /// <returns>The coefficients, one per feature.</returns>
    /// <exception cref="PlanningInputException">No rows, rows of different lengths, a non-finite value, or a quantile out of range.</exception>
    public static ImmutableArray<double> Fit(IReadOnlyList<double[]> features, IReadOnlyList<double> targets, double quantile) =>
        Fit(features, targets, quantile, start: null, MaxSteps);

    /// <summary>
    /// Fits starting from <paramref name="start"/> (warm start for online refits, where the data moved little) instead
    /// of ordinary least squares, with at most <paramref name="maxSteps"/> reweighting steps.
    /// </summary>
    internal static ImmutableArray<double> Fit(IReadOnlyList<double[]> features, IReadOnlyList<double> targets, double quantile, IReadOnlyList<double>? start, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (!(quantile > 0 && quantile < 1))
        {
            throw new PlanningInputException("quantile", string.Create(CultureInfo.InvariantCulture, $"must be strictly between 0 and 1, got {quantile}"));
        }

        if (features.Count == 0 || features.Count != targets.Count)
        {
            throw new PlanningInputException("features", string.Create(CultureInfo.InvariantCulture, $"must have one row per target and at least one, got {features.Count} rows and {targets.Count} targets"));
        }

        var k = features[0].Length;
        for (var i = 0; i < features.Count; i++)
        {
            if (features[i].Length != k || features[i].Any(v => !double.IsFinite(v)))
            {
                throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"features[{i}]"), $"must hold {k} finite numbers");
            }

            if (!double.IsFinite(targets[i]))
            {
                throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"targets[{i}]"), $"must be finite, got {targets[i]}");
            }
        }

        // Plain arrays: the loops below run n x k x steps times, and interface indexers cost more than the arithmetic.
        var x = features.ToArray();
        var y = targets.ToArray();
        var n = x.Length;
        var weights = new double[n];
        Array.Fill(weights, 1.0);
        var beta = start is { } s && s.Count == k ? [.. s] : Solve(x, y, weights, k);
        for (var step = 0; step < maxSteps; step++)
        {
            for (var i = 0; i < n; i++)
            {
                var r = y[i] - Dot(x[i], beta);
                weights[i] = (r >= 0 ? quantile : 1 - quantile) / Math.Max(Math.Abs(r), 1e-6);
            }

            var next = Solve(x, y, weights, k);
            var moved = 0.0;
            for (var j = 0; j < k; j++)
            {
                moved = Math.Max(moved, Math.Abs(next[j] - beta[j]));
            }

            beta = next;
            if (moved < Tolerance)
            {
                break;
            }
        }

        return [.. VertexDescent(x, y, quantile, beta, maxSteps)];
    }

    /// <summary>The pinball loss of coefficients on data (sum over rows).</summary>
    /// <param name="features">The rows.</param>
    /// <param name="targets">The targets.</param>
    /// <param name="coefficients">The coefficients.</param>
    /// <param name="quantile">The quantile tau.</param>
    /// <returns>The loss.</returns>
    public static double PinballLoss(IReadOnlyList<double[]> features, IReadOnlyList<double> targets, IReadOnlyList<double> coefficients, double quantile)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(coefficients);
        var loss = 0.0;
        for (var i = 0; i < features.Count; i++)
        {
            var prediction = 0.0;
            for (var j = 0; j < coefficients.Count; j++)
            {
                prediction += features[i][j] * coefficients[j];
            }

            var r = targets[i] - prediction;
            loss += r * (quantile - (r < 0 ? 1 : 0));
        }

        return loss;
    }

    private static double[] Solve(double[][] x, double[] y, double[] weights, int k)
    {
        var gram = Matrix<double>.Build.Dense(k, k);
        var rhs = Vector<double>.Build.Dense(k);
        var g = new double[k, k];
        var b = new double[k];
        for (var i = 0; i < x.Length; i++)
        {
            var row = x[i];
            var w = weights[i];
            for (var p = 0; p < k; p++)
            {
                var xp = row[p] * w;
                b[p] += xp * y[i];
                for (var q = p; q < k; q++)
                {
                    g[p, q] += xp * row[q];
                }
            }
        }

        for (var p = 0; p < k; p++)
        {
            rhs[p] = b[p];
            for (var q = p; q < k; q++)
            {
                gram[p, q] = g[p, q];
                gram[q, p] = g[p, q];
            }
        }

        for (var p = 1; p < k; p++)
        {
            gram[p, p] += 1e-8 * Math.Max(g[0, 0], 1e-12);
        }

        return [.. gram.Solve(rhs)];
    }

    /// <summary>
    /// Polishes an IRLS solution to an exact minimiser. The pinball loss is convex and piecewise linear, so a minimum
    /// lies at a vertex where k independent rows fit exactly. Starting from the k independent rows nearest the IRLS
    /// fit, each step moves along the edge (one basis row released, up or down) of steepest descent to the loss's
    /// minimum on that edge (an exact line search over the rows' breakpoints, a weighted median), swapping the row
    /// met there into the basis; it stops when no edge descends (optimal) or after <paramref name="maxIterations"/>.
    /// Returns whichever of the IRLS and the vertex fit has the smaller loss; with rank-deficient features (no k
    /// independent rows) it descends on a largest set of independent columns instead.
    /// </summary>
    private static double[] VertexDescent(double[][] x, double[] y, double tau, double[] start, int maxIterations)
    {
        var n = x.Length;
        var k = start.Length;
        var residual = new double[n];
        for (var i = 0; i < n; i++)
        {
            residual[i] = y[i] - Dot(x[i], start);
        }

        var basis = IndependentRows(x, Enumerable.Range(0, n).OrderBy(i => Math.Abs(residual[i])).ThenBy(i => i), k);
        if (basis is null)
        {
            return RankReducedDescent(x, y, tau, start, maxIterations);
        }

        var beta = SolveBasis(x, y, basis);
        if (beta is null)
        {
            return start;
        }

        var loss = Loss(x, y, beta, tau);
        var inBasis = new bool[n];
        var a = new double[n];
        var breakpoints = new List<(double T, int Row)>();
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            Array.Clear(inBasis);
            foreach (var b in basis)
            {
                inBasis[b] = true;
            }

            for (var i = 0; i < n; i++)
            {
                residual[i] = y[i] - Dot(x[i], beta);
            }

            var inverse = Matrix<double>.Build.Dense(k, k, (p, q) => x[basis[p]][q]).Inverse();

            // Every row off the fit contributes -tau (above) or 1 - tau (below) times x_i . d to the slope along d, so
            // their sum is gradient . d with one gradient per vertex; rows on the fit but not in the basis (ties) add
            // whichever side they move to.
            var gradient = new double[k];
            var ties = new List<int>();
            for (var i = 0; i < n; i++)
            {
                if (inBasis[i])
                {
                    continue;
                }

                if (IsZero(residual[i], y[i]))
                {
                    ties.Add(i);
                    continue;
                }

                var c = residual[i] > 0 ? -tau : 1 - tau;
                for (var q = 0; q < k; q++)
                {
                    gradient[q] += c * x[i][q];
                }
            }

            var bestSlope = -1e-12;
            (int Position, double[] Direction)? bestEdge = null;
            for (var position = 0; position < k; position++)
            {
                foreach (var sign in (ReadOnlySpan<double>)[1.0, -1.0])
                {
                    // Direction d with x_b . d = 0 for the other basis rows and x_j . d = sign for the released one.
                    var d = new double[k];
                    for (var q = 0; q < k; q++)
                    {
                        d[q] = sign * inverse[q, position];
                    }

                    // Releasing row j moves its residual to -sign t: below the fit (slope 1 - tau) or above (tau).
                    var slope = (sign > 0 ? 1 - tau : tau) + Dot(gradient, d);
                    foreach (var i in ties)
                    {
                        slope += EdgeSlope(0, Dot(x[i], d), tau, y[i]);
                    }

                    var norm = Math.Sqrt(d.Sum(v => v * v));
                    if (norm > 0 && slope / norm < bestSlope)
                    {
                        bestSlope = slope / norm;
                        bestEdge = (position, d);
                    }
                }
            }

            if (bestEdge is not { } edge)
            {
                break;
            }

            // Exact line search: the slope along the edge rises by |a_i| at each breakpoint t_i = r_i / a_i.
            breakpoints.Clear();
            var released = basis[edge.Position];
            var slopeAlong = Dot(x[released], edge.Direction) > 0 ? 1 - tau : tau;
            for (var i = 0; i < n; i++)
            {
                a[i] = Dot(x[i], edge.Direction);
                if (inBasis[i])
                {
                    continue;
                }

                slopeAlong += EdgeSlope(residual[i], a[i], tau, y[i]);
                if (a[i] != 0 && !IsZero(residual[i], y[i]))
                {
                    var t = residual[i] / a[i];
                    if (t > 0)
                    {
                        breakpoints.Add((t, i));
                    }
                }
            }

            breakpoints.Sort((p, q) => p.T != q.T ? p.T.CompareTo(q.T) : p.Row.CompareTo(q.Row));
            var entering = -1;
            foreach (var (_, row) in breakpoints)
            {
                slopeAlong += Math.Abs(a[row]);
                if (slopeAlong >= 0)
                {
                    entering = row;
                    break;
                }
            }

            if (entering < 0)
            {
                break;
            }

            var nextBasis = basis.ToArray();
            nextBasis[edge.Position] = entering;
            var next = SolveBasis(x, y, nextBasis);
            if (next is null)
            {
                break;
            }

            var nextLoss = Loss(x, y, next, tau);
            if (!(nextLoss < loss - (1e-13 * Math.Max(1, Math.Abs(loss)))))
            {
                break;
            }

            basis = nextBasis;
            beta = next;
            loss = nextLoss;
        }

        return loss <= Loss(x, y, start, tau) ? beta : start;
    }

    /// <summary>
    /// Rank-deficient features (say every observation has the same x, or a feature copies another): no k independent
    /// rows, so no vertex. The fits span the same predictions as those of a largest set of independent columns, so the
    /// descent runs on those columns alone (started from their least-squares fit) and the others' coefficients are 0.
    /// </summary>
    private static double[] RankReducedDescent(double[][] x, double[] y, double tau, double[] start, int maxIterations)
    {
        var k = start.Length;
        var columns = new double[k][];
        for (var j = 0; j < k; j++)
        {
            columns[j] = [.. x.Select(row => row[j])];
        }

        var kept = Independent(columns, Enumerable.Range(0, k), k);
        if (kept.Count == 0 || kept.Count == k)
        {
            // No non-zero column (every fit predicts 0), or rank k after all (rows and columns disagreed only at the
            // tolerance): the IRLS fit stands.
            return start;
        }

        var reduced = x.Select(row => kept.Select(j => row[j]).ToArray()).ToArray();
        var ones = new double[x.Length];
        Array.Fill(ones, 1.0);
        var fit = VertexDescent(reduced, y, tau, Solve(reduced, y, ones, kept.Count), maxIterations);
        var beta = new double[k];
        for (var p = 0; p < kept.Count; p++)
        {
            beta[kept[p]] = fit[p];
        }

        return Loss(x, y, beta, tau) <= Loss(x, y, start, tau) ? beta : start;
    }

    /// <summary>The slope, at t = 0+, of one row's loss as the fit moves by t along a direction with x_i . d = <paramref name="a"/>.</summary>
    private static double EdgeSlope(double residual, double a, double tau, double y)
    {
        // The residual becomes r - a t.
        if (IsZero(residual, y))
        {
            return a > 0 ? (1 - tau) * a : -tau * a;
        }

        return residual > 0 ? -tau * a : (1 - tau) * a;
    }

    private static bool IsZero(double residual, double y) => Math.Abs(residual) <= 1e-11 * (1 + Math.Abs(y));

    private static int[]? IndependentRows(double[][] x, IEnumerable<int> candidates, int k)
    {
        var chosen = Independent(x, candidates, k);
        return chosen.Count == k ? [.. chosen] : null;
    }

    /// <summary>Greedily picks, in candidate order, up to <paramref name="limit"/> linearly independent vectors (Gram-Schmidt).</summary>
    private static List<int> Independent(double[][] x, IEnumerable<int> candidates, int limit)
    {
        var chosen = new List<int>(limit);
        var basis = new List<double[]>(limit);
        foreach (var i in candidates)
        {
            var v = (double[])x[i].Clone();
            var norm0 = Math.Sqrt(v.Sum(e => e * e));
            if (norm0 == 0)
            {
                continue;
            }

            foreach (var q in basis)
            {
                var dot = Dot(v, q);
                for (var j = 0; j < v.Length; j++)
                {
                    v[j] -= dot * q[j];
                }
            }

            var norm = Math.Sqrt(v.Sum(e => e * e));
            if (norm > 1e-8 * norm0)
            {
                basis.Add([.. v.Select(e => e / norm)]);
                chosen.Add(i);
                if (chosen.Count == limit)
                {
                    break;
                }
            }
        }

        return chosen;
    }

    private static double[]? SolveBasis(double[][] x, double[] y, int[] basis)
    {
        var k = basis.Length;
        var m = Matrix<double>.Build.Dense(k, k, (p, q) => x[basis[p]][q]);
        var solution = m.Solve(Vector<double>.Build.Dense(k, p => y[basis[p]]));
        return solution.All(double.IsFinite) ? [.. solution] : null;
    }

    private static double Loss(double[][] x, double[] y, double[] beta, double tau)
    {
        var loss = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var r = y[i] - Dot(x[i], beta);
            loss += r * (tau - (r < 0 ? 1 : 0));
        }

        return loss;
    }

    private static double Dot(double[] row, double[] beta)
    {
        var sum = 0.0;
        for (var j = 0; j < beta.Length; j++)
        {
            sum += row[j] * beta[j];
        }

        return sum;
    }
}
