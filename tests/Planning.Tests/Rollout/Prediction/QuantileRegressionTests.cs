using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Rollout;

namespace Planning.Tests.Rollout;

public sealed class QuantileRegressionTests
{
    /// <summary>Small 1-D data sets: 2..40 points with non-zero x in [-50, 50] and y in [-50, 50], and a quantile.</summary>
    public static Arbitrary<(double[] X, double[] Y, double Tau)> OneDimensional() =>
        (from n in Gen.Choose(2, 40)
         from xs in Gen.ArrayOf(Gen.Choose(1, 100).Zip(Gen.Elements(-1, 1), (v, s) => s * v / 2.0), n)
         from ys in Gen.ArrayOf(Gen.Choose(-100, 100).Select(v => v / 2.0), n)
         from tau in Gen.Elements(0.1, 0.25, 0.5, 0.75, 0.9)
         select (xs, ys, tau))
        .ToArbitrary();

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.9, 0.8)]
    [InlineData(0.2, -0.6)]
    public void Fit_SyntheticLinearData_RecoversKnownCoefficients(double tau, double noiseQuantile)
    {
        // y = 2 + 3 x1 - 1.5 x2 + e, e uniform on [-1, 1]: the tau-quantile line has the same slopes and intercept
        // 2 + F^-1(tau) = 2 + (2 tau - 1).
        var random = new Random(1);
        var features = new List<double[]>();
        var targets = new List<double>();
        for (var i = 0; i < 4000; i++)
        {
            var x1 = random.NextDouble() * 10;
            var x2 = (random.NextDouble() * 4) - 2;
            features.Add([1, x1, x2]);
            targets.Add(2 + (3 * x1) - (1.5 * x2) + ((random.NextDouble() * 2) - 1));
        }

        var beta = QuantileRegression.Fit(features, targets, tau);

        Assert.Equal(2 + noiseQuantile, beta[0], 0.08);
        Assert.Equal(3, beta[1], 0.02);
        Assert.Equal(-1.5, beta[2], 0.03);
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(QuantileRegressionTests)])]
    public bool Fit_OneDimensional_PinballLossEqualsTheBruteForceOptimum((double[] X, double[] Y, double Tau) data)
    {
        // The pinball loss of y ~ b x is convex and piecewise linear in b with kinks at y_i / x_i, so its minimum is
        // at one of them: trying them all is an exact oracle.
        var features = data.X.Select(x => new[] { x }).ToArray();
        var fitted = QuantileRegression.Fit(features, data.Y, data.Tau);
        var best = data.X.Zip(data.Y, (x, y) => y / x).Min(b => QuantileRegression.PinballLoss(features, data.Y, [b], data.Tau));

        var loss = QuantileRegression.PinballLoss(features, data.Y, fitted, data.Tau);

        return Math.Abs(loss - best) <= 1e-9 * (1 + best);
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(QuantileRegressionTests)])]
    public bool Fit_InterceptAndSlope_PinballLossEqualsTheBestVertex((double[] X, double[] Y, double Tau) data)
    {
        // With an intercept and a slope a minimum lies where the line passes through two points (with distinct x), or,
        // when every x is equal, at a horizontal line through one point: enumerating them is an exact oracle.
        var features = data.X.Select(x => new[] { 1.0, x }).ToArray();
        var candidates = new List<double[]>();
        for (var i = 0; i < data.X.Length; i++)
        {
            candidates.Add([data.Y[i], 0]);
            for (var j = i + 1; j < data.X.Length; j++)
            {
                if (data.X[i] != data.X[j])
                {
                    var slope = (data.Y[j] - data.Y[i]) / (data.X[j] - data.X[i]);
                    candidates.Add([data.Y[i] - (slope * data.X[i]), slope]);
                }
            }
        }

        var best = candidates.Min(c => QuantileRegression.PinballLoss(features, data.Y, c, data.Tau));
        var loss = QuantileRegression.PinballLoss(features, data.Y, QuantileRegression.Fit(features, data.Y, data.Tau), data.Tau);

        return Math.Abs(loss - best) <= 1e-9 * (1 + best);
    }

    [Fact]
    public void Fit_EveryXEqual_IsAnExactMinimiser()
    {
        // Found by FsCheck: with one distinct x the features have rank 1, there is no vertex of two rows, and IRLS alone
        // stopped at 3.600000089. The 0.1-quantile of {5.5, -30.5} is -30.5: loss 0.1 x 36 = 3.6.
        var features = new[] { new[] { 1.0, -21.5 }, new[] { 1.0, -21.5 } };
        var y = new[] { 5.5, -30.5 };

        var fit = QuantileRegression.Fit(features, y, 0.1);

        Assert.Equal(3.6, QuantileRegression.PinballLoss(features, y, fit, 0.1), 1e-12);
        Assert.Equal(-30.5, fit[0] + (fit[1] * -21.5), 1e-12);
    }

    [Fact]
    public void Fit_DuplicatedFeature_IsTheSampleQuantile()
    {
        // The second and third columns are equal, so only their sum is identified; the predictions are still the
        // intercept-and-slope optimum, found here by enumerating lines through two points.
        var xs = new double[] { 1, 2, 3, 4, 5, 6 };
        var y = new double[] { 2, 1, 5, 4, 9, 7 };
        var features = xs.Select(v => new[] { 1.0, v, v }).ToArray();
        var plain = xs.Select(v => new[] { 1.0, v }).ToArray();
        var best = double.PositiveInfinity;
        for (var i = 0; i < xs.Length; i++)
        {
            for (var j = i + 1; j < xs.Length; j++)
            {
                var slope = (y[j] - y[i]) / (xs[j] - xs[i]);
                best = Math.Min(best, QuantileRegression.PinballLoss(plain, y, [y[i] - (slope * xs[i]), slope], 0.3));
            }
        }

        var fit = QuantileRegression.Fit(features, y, 0.3);

        Assert.Equal(best, QuantileRegression.PinballLoss(features, y, fit, 0.3), 1e-12);
    }

    [Fact]
    public void Fit_InterceptOnly_IsTheSampleQuantile()
    {
        var y = new double[] { 5, 1, 9, 3, 7, 11, 2, 8, 4, 6 };
        var features = y.Select(_ => new[] { 1.0 }).ToArray();

        var median = QuantileRegression.Fit(features, y, 0.5)[0];
        var upper = QuantileRegression.Fit(features, y, 0.85)[0];

        // Any value between the 5th and 6th order statistics (5 and 6) minimises the median's loss; 0.85 x 10 = 8.5
        // rows below forces the 9th order statistic, 9.
        Assert.InRange(median, 5 - 1e-9, 6 + 1e-9);
        Assert.Equal(9, upper, 1e-9);
    }

    [Theory]
    [InlineData(0.0, "quantile")]
    [InlineData(1.0, "quantile")]
    [InlineData(double.NaN, "quantile")]
    public void Fit_BadQuantile_Rejected(double tau, string field)
    {
        var ex = Assert.Throws<PlanningInputException>(() => QuantileRegression.Fit([[1.0]], [1.0], tau));

        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Fit_RaggedOrNonFiniteRows_RejectedNamingTheRow()
    {
        Assert.Equal("features[1]", Assert.Throws<PlanningInputException>(() => QuantileRegression.Fit([[1.0, 2.0], [1.0]], [1.0, 2.0], 0.5)).Field);
        Assert.Equal("targets[0]", Assert.Throws<PlanningInputException>(() => QuantileRegression.Fit([[1.0]], [double.PositiveInfinity], 0.5)).Field);
        Assert.Equal("features", Assert.Throws<PlanningInputException>(() => QuantileRegression.Fit([], [], 0.5)).Field);
    }
}
