using System.Globalization;
using System.Text.RegularExpressions;

namespace Planning.Cli.Tests;

public sealed partial class DemoReLibraSectionTests
{
    [Fact]
    public void Demo_AfterTheSoc_PrintsTheReLibraSectionWithConsistentFigures()
    {
        var (code, output, error) = PlanRunner.Run("demo", "--time-limit", "1");

        Assert.True(code == 0, error);
        var section = output.IndexOf("ReLibra: deepseek-v3 on 4 h800 nodes (32 ranks)", StringComparison.Ordinal);
        Assert.True(section > output.IndexOf("SoC serving: ", StringComparison.Ordinal), output);
        var text = output[section..];

        var steps = new Dictionary<string, (double Step, double TimesMegatron, double OverIdeal)>();
        foreach (Match row in Row().Matches(text))
        {
            steps[row.Groups[1].Value] = (
                double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture),
                double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture),
                double.Parse(row.Groups[4].Value, CultureInfo.InvariantCulture));
        }

        Assert.Equal(["megatron", "eplb-oracle", "ultraep", "relibra", "ideal"], steps.Keys);
        var megatron = steps["megatron"].Step;
        var ideal = steps["ideal"].Step;
        foreach (var (policy, figures) in steps)
        {
            // Printed to 0.1 ms, 0.01 and 0.1 %: recomputed from the printed steps within that rounding.
            Assert.InRange(figures.TimesMegatron - (megatron / figures.Step), -0.011, 0.011);
            Assert.InRange(figures.OverIdeal - (((figures.Step / ideal) - 1) * 100), -0.2, 0.2);
            Assert.True(figures.Step >= ideal - 0.05, $"{policy} below the ideal");
        }

        Assert.Equal(1.00, steps["megatron"].TimesMegatron);
        Assert.Equal(0.0, steps["ideal"].OverIdeal);
    }

    [GeneratedRegex(@"│ ([a-z-]+) +│ ([0-9.]+) +│ ([0-9.]+) +│ ([0-9.-]+) % +│ [0-9.]+ +│")]
    private static partial Regex Row();
}
