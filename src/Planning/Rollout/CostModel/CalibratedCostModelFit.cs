using System.Collections.Immutable;
using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace Planning.Rollout;

/// <summary>One measured row of the calibration CSV (times in seconds).</summary>
internal readonly record struct CalibratedCostModelMeasurement(int TensorParallel, int PromptSize, int BatchSize, int TokenSize, double PrefillSeconds, double DecodeSeconds);

/// <summary>Fits <see cref="CalibratedCostModelConstants"/> to measured rows (see <see cref="CostModelCalibration"/>).</summary>
internal static class CalibratedCostModelFit
{
    /// <summary>Prompts of at most this many tokens (a whole batch) start on the prefill floor; the fit reassigns them.</summary>
    private const double InitialFloorTokens = 256;

    public static CostModelCalibration Fit(InferenceModelSpec model, InferenceHardware hardware, IReadOnlyList<CalibratedCostModelMeasurement> measured, string source)
    {
        var (rows, excluded) = Exclude(measured);
        var decode = FitDecode(model, hardware, rows);
        var prefill = FitPrefill(model, hardware, rows);
        var constants = new CalibratedCostModelConstants(
            decode.Overhead, decode.AllReduce, decode.MemoryEfficiency, decode.ComputeEfficiency,
            prefill.Floor, prefill.FloorPerGpu, prefill.Overhead, prefill.ComputeEfficiency, prefill.InterconnectEfficiency);
        var predicted = rows.Select(r => new CostModelCalibrationRow(
            r.TensorParallel, r.PromptSize, r.BatchSize, r.TokenSize,
            r.PrefillSeconds, Prefill(model, hardware, constants, r),
            r.DecodeSeconds, Decode(model, hardware, constants, r))).ToImmutableArray();
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"configurations whose prefill took less time than a smaller batch of the same prompts at the same degree (physically impossible: more work; {excluded.Count} rows: {string.Join("; ", excluded.Select(e => $"TP {e.TensorParallel} batch {e.BatchSize} x {e.PromptSize}").Distinct())})");
        return new CostModelCalibration(constants, source, predicted, excluded.Count, reason);
    }

    /// <summary>The mean context of a decode iteration in a measured row: every sequence at its prompt plus half its output.</summary>
    public static double DecodeContext(CalibratedCostModelMeasurement r) => r.BatchSize * (r.PromptSize + (r.TokenSize / 2.0));

    public static double Decode(InferenceModelSpec model, InferenceHardware hardware, in CalibratedCostModelConstants c, CalibratedCostModelMeasurement r) =>
        CalibratedCostModelRoofline.DecodeSeconds(model, hardware, c, r.BatchSize, DecodeContext(r), r.TensorParallel);

    public static double Prefill(InferenceModelSpec model, InferenceHardware hardware, in CalibratedCostModelConstants c, CalibratedCostModelMeasurement r) =>
        CalibratedCostModelRoofline.PrefillSeconds(
            model, hardware, c, (double)r.BatchSize * r.PromptSize, r.BatchSize * CalibratedCostModelRoofline.AttentionFlops(model, r.PromptSize, 0), r.TensorParallel);

    private static (List<CalibratedCostModelMeasurement> Kept, List<CalibratedCostModelMeasurement> Excluded) Exclude(IReadOnlyList<CalibratedCostModelMeasurement> measured)
    {
        var bad = new HashSet<(int, int, int)>();
        foreach (var series in measured.GroupBy(r => (r.TensorParallel, r.PromptSize)))
        {
            var most = 0.0;
            foreach (var config in series.GroupBy(r => r.BatchSize).OrderBy(g => g.Key))
            {
                var mean = config.Average(r => r.PrefillSeconds);
                if (mean < most)
                {
                    bad.Add((series.Key.TensorParallel, series.Key.PromptSize, config.Key));
                }

                most = Math.Max(most, mean);
            }
        }

        var kept = measured.Where(r => !bad.Contains((r.TensorParallel, r.PromptSize, r.BatchSize))).ToList();
        var excluded = measured.Where(r => bad.Contains((r.TensorParallel, r.PromptSize, r.BatchSize))).ToList();
        return (kept, excluded);
    }

    private static (double Overhead, double AllReduce, double MemoryEfficiency, double ComputeEfficiency) FitDecode(
        InferenceModelSpec model, InferenceHardware hardware, List<CalibratedCostModelMeasurement> rows)
    {
        var weightBytes = model.Parameters * hardware.BytesPerParameter;
        var kvBytes = (double)model.KvBytesPerToken(hardware.KvBytesPerElement);
        var y = rows.Select(r => r.DecodeSeconds).ToArray();
        (double Loss, double[] Coefficients, double Ratio)? best = null;

        // For a fixed ratio r = (1 / compute efficiency) / (1 / memory efficiency) the model is linear in
        // (overhead, 1 / memory efficiency, all-reduce): scan r on a 1% geometric grid.
        for (var ratio = 0.1; ratio <= 1e4; ratio *= 1.01)
        {
            var columns = new double[rows.Count][];
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                var memory = weightBytes / r.TensorParallel / hardware.MemoryBytesPerSecond;
                var compute = ratio * 2 * model.Parameters * r.BatchSize / r.TensorParallel / hardware.PeakFlopsPerSecond;
                var kv = DecodeContext(r) * kvBytes / r.TensorParallel / hardware.MemoryBytesPerSecond;
                columns[i] = [model.Layers, Math.Max(memory, compute) + kv, model.Layers * (r.TensorParallel - 1.0)];
            }

            if (SolveNonNegative(columns, y, required: 0b010) is { } fit && (best is null || fit.Loss < best.Value.Loss))
            {
                best = (fit.Loss, fit.Coefficients, ratio);
            }
        }

        var (_, c, bestRatio) = best ?? throw new InvalidOperationException("the decode calibration found no non-negative fit");
        return (c[0], c[2], 1 / c[1], 1 / (bestRatio * c[1]));
    }

    private static (double Floor, double FloorPerGpu, double Overhead, double ComputeEfficiency, double InterconnectEfficiency) FitPrefill(
        InferenceModelSpec model, InferenceHardware hardware, List<CalibratedCostModelMeasurement> rows)
    {
        var floorColumns = rows.Select(r => new double[] { model.Layers, model.Layers * (r.TensorParallel - 1.0) }).ToArray();
        var risingColumns = rows.Select(r =>
        {
            var tokens = (double)r.BatchSize * r.PromptSize;
            var attention = r.BatchSize * CalibratedCostModelRoofline.AttentionFlops(model, r.PromptSize, 0);
            return new double[]
            {
                CalibratedCostModelRoofline.PrefillFlops(model, tokens, attention) / r.TensorParallel / hardware.PeakFlopsPerSecond,
                CalibratedCostModelRoofline.PrefillAllReduceBytes(model, hardware, tokens, r.TensorParallel) / hardware.InterconnectBytesPerSecond,
                model.Layers,
            };
        }).ToArray();
        var y = rows.Select(r => r.PrefillSeconds).ToArray();
        var onFloor = rows.Select(r => (double)r.BatchSize * r.PromptSize <= InitialFloorTokens).ToArray();
        (double Loss, double[] Floor, double[] Rising)? best = null;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var floor = Subset(floorColumns, y, onFloor, true) is { } f ? SolveNonNegative(f.Columns, f.Y, required: 0b01)?.Coefficients : null;
            var rising = Subset(risingColumns, y, onFloor, false) is { } s ? SolveNonNegative(s.Columns, s.Y, required: 0b011)?.Coefficients : null;
            if (rising is null)
            {
                break;
            }

            floor ??= [0, 0];
            var loss = 0.0;
            var changed = false;
            for (var i = 0; i < rows.Count; i++)
            {
                var low = Dot(floorColumns[i], floor);
                var high = Dot(risingColumns[i], rising);
                var e = (Math.Max(low, high) / y[i]) - 1;
                loss += e * e;
                if (low > high != onFloor[i])
                {
                    onFloor[i] = low > high;
                    changed = true;
                }
            }

            if (best is null || loss < best.Value.Loss)
            {
                best = (loss, floor, rising);
            }

            if (!changed)
            {
                break;
            }
        }

        var (_, fc, rc) = best ?? throw new InvalidOperationException("the prefill calibration found no non-negative fit");
        return (fc[0], fc[1], rc[2], 1 / rc[0], 1 / rc[1]);
    }

    private static (double[][] Columns, double[] Y)? Subset(double[][] columns, double[] y, bool[] onFloor, bool floor)
    {
        var chosen = Enumerable.Range(0, y.Length).Where(i => onFloor[i] == floor).ToArray();
        return chosen.Length > columns[0].Length ? ([.. chosen.Select(i => columns[i])], [.. chosen.Select(i => y[i])]) : null;
    }

    /// <summary>
    /// Least squares of relative error (row i scaled by 1 / y[i]) with every coefficient non-negative: the best of the
    /// unconstrained solves over the subsets of columns that include the <paramref name="required"/> ones (a bit mask;
    /// these must come out positive), which is exact for the two or three columns used here. Each solve is the normal
    /// equations with columns scaled to unit norm (well conditioned for three columns), solved by MathNet.Numerics LU;
    /// a full QR a candidate was 100 times slower and the fit runs at first use.
    /// </summary>
    private static (double Loss, double[] Coefficients)? SolveNonNegative(double[][] columns, double[] y, int required)
    {
        var k = columns[0].Length;
        var gram = new double[k, k];
        var rhs = new double[k];
        for (var i = 0; i < y.Length; i++)
        {
            var w = 1 / (y[i] * y[i]);
            for (var p = 0; p < k; p++)
            {
                rhs[p] += columns[i][p] / y[i];
                for (var q = 0; q < k; q++)
                {
                    gram[p, q] += columns[i][p] * columns[i][q] * w;
                }
            }
        }

        (double Loss, double[] Coefficients)? best = null;
        for (var mask = 1; mask < 1 << k; mask++)
        {
            if ((mask & required) != required)
            {
                continue;
            }

            var used = Enumerable.Range(0, k).Where(j => (mask & (1 << j)) != 0).ToArray();
            if (used.Any(j => gram[j, j] <= 0))
            {
                continue;
            }

            var scale = used.Select(j => Math.Sqrt(gram[j, j])).ToArray();
            var g = Matrix<double>.Build.Dense(used.Length, used.Length, (p, q) => gram[used[p], used[q]] / (scale[p] * scale[q]));
            var b = Vector<double>.Build.Dense(used.Length, p => rhs[used[p]] / scale[p]);
            var solution = g.Solve(b);
            var full = new double[k];
            var feasible = true;
            for (var p = 0; p < used.Length; p++)
            {
                full[used[p]] = solution[p] / scale[p];
                feasible &= full[used[p]] >= 0 && ((required & (1 << used[p])) == 0 || full[used[p]] > 0);
            }

            if (!feasible)
            {
                continue;
            }

            var loss = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                var e = (Dot(columns[i], full) / y[i]) - 1;
                loss += e * e;
            }

            if (best is null || loss < best.Value.Loss)
            {
                best = (loss, full);
            }
        }

        return best;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
