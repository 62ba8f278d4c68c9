using System.Globalization;
using System.Text.RegularExpressions;

namespace Planning.Cli.Tests;

public sealed partial class DemoSocSectionTests
{
    [Fact]
    public void Demo_AfterTheRollout_PrintsTheSocSectionWithConsistentFigures()
    {
        var (code, output, error) = PlanRunner.Run("demo", "--time-limit", "1");

        Assert.True(code == 0, error);
        var section = output.IndexOf("SoC serving: ", StringComparison.Ordinal);
        Assert.True(section > output.IndexOf("Rollout: ", StringComparison.Ordinal), output);
        var text = output[section..];
        Assert.Contains("llama-3.2-3b on core-ultra-5-125h", text, StringComparison.Ordinal);

        var p50 = new Dictionary<string, double>();
        var throughput = new Dictionary<string, double>();
        foreach (var policy in new[] { "agentxpu", "openvino", "llamacpp", "serial" })
        {
            var row = Regex.Match(text, $@"│ {policy} +│ +([0-9]+) +│ +([0-9]+) +│ +([0-9.]+) +│");
            Assert.True(row.Success, text);
            p50[policy] = double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture) >= p50[policy], "p95 at least p50");
            throughput[policy] = double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture);
        }

        var ratios = Ratios().Match(text);
        Assert.True(ratios.Success, text);

        // Printed from unrounded figures; the table rounds p50 to 1 ms and throughput to 0.01.
        Assert.InRange((1 - (p50["agentxpu"] / p50["openvino"])) * 100 - double.Parse(ratios.Groups[1].Value, CultureInfo.InvariantCulture), -0.2, 0.2);
        Assert.InRange(throughput["agentxpu"] / throughput["openvino"] - double.Parse(ratios.Groups[2].Value, CultureInfo.InvariantCulture), -0.02, 0.02);
    }

    [GeneratedRegex(@"agentxpu against openvino: reactive p50 (-?[0-9.]+)% lower, proactive throughput ([0-9.]+)x")]
    private static partial Regex Ratios();
}
