using System.Globalization;
using System.Text.RegularExpressions;

namespace Planning.Cli.Tests;

public sealed partial class DemoRolloutSectionTests
{
    [Fact]
    public void Demo_AfterTheFormalization_PrintsTheRolloutSectionWithConsistentFigures()
    {
        var (code, output, error) = PlanRunner.Run("demo", "--time-limit", "1");

        Assert.True(code == 0, error);
        var section = output.IndexOf("Rollout: skewed 8x16 seed 1 (128 trajectories", StringComparison.Ordinal);
        Assert.True(section > output.IndexOf("Autoformalization: ", StringComparison.Ordinal), output);
        var text = output[section..];

        var throughput = new Dictionary<string, double>();
        foreach (var policy in new[] { "heddle", "slime", "verl" })
        {
            var row = Regex.Match(text, $@"│ {policy} +│ +([0-9.]+) +│ +([0-9]+) +│ +([0-9.]+) +│");
            Assert.True(row.Success, text);
            Assert.True(double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture) >= 1.0, "makespan at least the lower bound");
            throughput[policy] = double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        // The tuned baselines take the best of every uniform degree, the rule's among them (TP1 here).
        foreach (var policy in new[] { "slime", "verl" })
        {
            var row = Regex.Match(text, $@"│ {policy}\* +│ +([0-9.]+) +│ +([0-9]+) +│ +([0-9.]+) +│ +([0-9]+)xTP([0-9]+) +│");
            Assert.True(row.Success, text);
            Assert.True(double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture) >= 1.0, "makespan at least the lower bound");
            Assert.Equal(16, int.Parse(row.Groups[4].Value, CultureInfo.InvariantCulture) * int.Parse(row.Groups[5].Value, CultureInfo.InvariantCulture));
            throughput[policy + "*"] = double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.True(throughput[policy + "*"] >= throughput[policy], text);
        }

        var tuned = TunedRatios().Match(text);
        Assert.True(tuned.Success, text);
        Assert.InRange(throughput["heddle"] / throughput["slime*"] - double.Parse(tuned.Groups[1].Value, CultureInfo.InvariantCulture), -0.006, 0.006);
        Assert.InRange(throughput["heddle"] / throughput["verl*"] - double.Parse(tuned.Groups[2].Value, CultureInfo.InvariantCulture), -0.006, 0.006);

        var ratios = Ratios().Match(text);
        Assert.True(ratios.Success, text);
        // The ratios are printed to 0.01 from unrounded figures; the table's tokens/s are whole numbers.
        Assert.InRange(throughput["heddle"] / throughput["slime"] - double.Parse(ratios.Groups[1].Value, CultureInfo.InvariantCulture), -0.006, 0.006);
        Assert.InRange(throughput["heddle"] / throughput["verl"] - double.Parse(ratios.Groups[2].Value, CultureInfo.InvariantCulture), -0.006, 0.006);
    }

    [GeneratedRegex(@"heddle throughput: ([0-9.]+)x slime \(SGLang cache-aware router, recipe degree\), ([0-9.]+)x verl \(recipe degree\)")]
    private static partial Regex Ratios();

    [GeneratedRegex(@"best uniform degree\): ([0-9.]+)x slime\*, ([0-9.]+)x verl\*")]
    private static partial Regex TunedRatios();
}
