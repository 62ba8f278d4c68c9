using System.Globalization;

using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Planning.Provers.Tests.Lean;
using Planning.Provers.Translation;

using Xunit.Abstractions;

namespace Planning.Provers.Tests.Translation;

/// <summary>The share of parsed miniF2F statements that translate to SMT without an unsupported construct.</summary>
public sealed class MiniF2FTranslationTests(ITestOutputHelper output)
{
    /// <summary>The translation rate reached on the parsed statements (237 of 454); a regression fails the test.</summary>
    private const double TranslationRateFloor = 0.52;

    [Fact]
    public void Translate_EveryParsedMiniF2FStatement_TranslatesAboveTheFloorWithoutCrashing()
    {
        int parsed = 0;
        int translated = 0;
        Dictionary<string, int> constructs = new(StringComparer.Ordinal);
        foreach ((string _, string source) in MiniF2FData.ReadStatements())
        {
            FormalParseResult parse = LeanStatementParser.TryParse(source);
            if (!parse.Succeeded)
            {
                continue;
            }

            parsed++;
            TranslationResult result = LeanToSmt.TryTranslate(parse.Statement!);
            if (result.Succeeded)
            {
                translated++;
                TranslatedStatement statement = result.Statement!;
                IReadOnlyList<Variable> free = Terms.FreeVariables([.. statement.Assumptions, statement.Conclusion]);
                Assert.All(free, variable => Assert.Contains(variable, statement.Variables));
            }
            else
            {
                constructs[result.Error!.Construct] = constructs.GetValueOrDefault(result.Error.Construct) + 1;
            }
        }

        double rate = (double)translated / parsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"translated {translated} of {parsed} parsed statements ({rate:P1})"));
        foreach (KeyValuePair<string, int> construct in constructs.OrderByDescending(static pair => pair.Value))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unsupported: {construct.Key}: {construct.Value}"));
        }

        Assert.True(parsed > 400, $"only {parsed} statements parsed");
        Assert.True(rate >= TranslationRateFloor, string.Create(CultureInfo.InvariantCulture, $"translation rate {rate:P1} is below the floor {TranslationRateFloor:P0}"));
    }
}
