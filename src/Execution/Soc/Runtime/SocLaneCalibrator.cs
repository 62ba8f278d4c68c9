using System.Collections.Immutable;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// Measures how a lane runs a chunk shape (<see cref="SocLaneCalibration"/>): warm-up runs, a probe that estimates the
/// time per row, timed runs at rows aimed at fixed times that the line is fitted to, then one run per check target at
/// the rows the line chooses. Every time is the least of <see cref="SocRuntimeOptions.CalibrationRepeats"/> runs: the
/// cost model's predictions are uncontended times, and on shared cores the fastest of a few runs is the one that was
/// least disturbed by other processes (a median still carries their load).
/// </summary>
internal static class SocLaneCalibrator
{
    private const int ProbeRows = 16;
    private const int WarmUpRuns = 2;

    /// <summary>The times, in ms, the fitted points aim at: spread over the range of kernel times (under 100 ms).</summary>
    private static readonly double[] FitTargetsMs = [4, 15, 40, 100];

    public static SocLaneCalibration Calibrate(OnnxLane lane, SocChunkShape shape, SocRuntimeOptions options)
    {
        for (var i = 0; i < WarmUpRuns; i++)
        {
            lane.Measure(shape, ProbeRows);
        }

        var probeMs = Least(lane, shape, ProbeRows, options.CalibrationRepeats);
        var roughPerRow = Math.Max(probeMs / ProbeRows, 1e-6);
        var points = new List<(double Rows, double Ms)> { (ProbeRows, probeMs) };
        foreach (var target in FitTargetsMs)
        {
            var rows = (int)Math.Clamp(Math.Round(target / roughPerRow), 1, SocLaneCalibration.MaxRows);
            if (points.Exists(p => p.Rows == rows))
            {
                continue;
            }

            points.Add((rows, Least(lane, shape, rows, options.CalibrationRepeats)));
        }

        var (fixedMs, perRow) = FitLine(points);
        var fitted = new SocLaneCalibration(lane.Lane, shape, fixedMs, perRow, []);
        var checks = ImmutableArray.CreateBuilder<SocCalibrationCheck>(options.CalibrationTargetsMs.Length);
        foreach (var target in options.CalibrationTargetsMs)
        {
            var rows = fitted.RowsFor(target);
            checks.Add(new SocCalibrationCheck(target, rows, Least(lane, shape, rows, options.CalibrationRepeats)));
        }

        return fitted with { Checks = checks.MoveToImmutable() };
    }

    /// <summary>
    /// Least squares of ms on rows, each point weighted by 1 / ms², so that the line misses short and long runs by
    /// similar fractions (plain least squares lets the longest points set the line and misses 5 ms runs by half). The
    /// intercept is kept at 0 or more and the slope above 0: a fit on noisy points could otherwise predict a negative
    /// time for few rows.
    /// </summary>
    internal static (double FixedMs, double MsPerRow) FitLine(IReadOnlyList<(double Rows, double Ms)> points)
    {
        var weights = points.Select(p => 1 / (p.Ms * p.Ms)).ToArray();
        var total = weights.Sum();
        var meanRows = points.Select((p, i) => weights[i] * p.Rows).Sum() / total;
        var meanMs = points.Select((p, i) => weights[i] * p.Ms).Sum() / total;
        var covariance = points.Select((p, i) => weights[i] * (p.Rows - meanRows) * (p.Ms - meanMs)).Sum();
        var variance = points.Select((p, i) => weights[i] * (p.Rows - meanRows) * (p.Rows - meanRows)).Sum();
        var slope = points.Count > 1 && variance > 0 ? covariance / variance : meanMs / meanRows;
        var intercept = meanMs - (slope * meanRows);
        if (slope <= 0 || intercept < 0)
        {
            // Through the origin instead: slope = sum(w r m) / sum(w r r).
            intercept = 0;
            slope = points.Select((p, i) => weights[i] * p.Rows * p.Ms).Sum() / points.Select((p, i) => weights[i] * p.Rows * p.Rows).Sum();
        }

        return (intercept, Math.Max(slope, 1e-9));
    }

    private static double Least(OnnxLane lane, SocChunkShape shape, int rows, int repeats)
    {
        var least = double.PositiveInfinity;
        for (var i = 0; i < repeats; i++)
        {
            least = Math.Min(least, lane.Measure(shape, rows));
        }

        return least;
    }
}
