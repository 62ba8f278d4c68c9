using System.Text.Json;
using System.Text.RegularExpressions;

using Planning.Provers.Formal;
using Planning.Provers.Tests.Lean;

using Xunit.Abstractions;

namespace Planning.Provers.Tests.Formal;

/// <summary>
/// The whole miniF2F file: how much parses, that the rest is classified, that printing round-trips, and that the
/// types agree with Lean's own elaboration as recorded in each problem's <c>goal</c> (Lean's pretty-printed goal,
/// where every coercion Lean inserted shows as <c>↑</c>).
/// </summary>
public sealed partial class MiniF2FCorpusTests(ITestOutputHelper output)
{
    /// <summary>The parse rate this parser achieves on the 488 statements (467 parse, 95.7 %, with tuple equations and ℕ+ binders); a regression fails the test.</summary>
    private const double ParseRateFloor = 467.0 / 488;

    private sealed record Problem(string Name, string Statement, string Goal);

    private static readonly Lazy<IReadOnlyList<Problem>> Problems = new(ReadProblems);

    private static List<Problem> ReadProblems()
    {
        List<Problem> problems = [];
        foreach (string line in File.ReadLines(MiniF2FData.FindFile()))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            problems.Add(new Problem(
                root.GetProperty("name").GetString()!, root.GetProperty("formal_statement").GetString()!, root.GetProperty("goal").GetString()!));
        }

        return problems;
    }

    private static IEnumerable<(Problem Problem, FormalStatement Statement)> Parsed()
    {
        foreach (Problem problem in Problems.Value)
        {
            FormalParseResult result = LeanStatementParser.TryParse(problem.Statement);
            if (result.Succeeded)
            {
                yield return (problem, result.Statement!);
            }
        }
    }

    [Fact]
    public void Parse_EveryMiniF2FStatement_ParsesAboveTheFloorAndClassifiesTheRestAsUnsupported()
    {
        IReadOnlyList<Problem> problems = Problems.Value;
        int parsed = 0;
        List<string> crashes = [];
        List<string> errors = [];
        Dictionary<string, int> constructs = new(StringComparer.Ordinal);
        foreach (Problem problem in problems)
        {
            try
            {
                FormalParseResult result = LeanStatementParser.TryParse(problem.Statement);
                if (result.Succeeded)
                {
                    parsed++;
                }
                else if (result.Error!.IsUnsupported && !string.IsNullOrEmpty(result.Error.Construct))
                {
                    constructs[result.Error.Construct] = constructs.GetValueOrDefault(result.Error.Construct) + 1;
                }
                else
                {
                    errors.Add($"{problem.Name}: {result.Error.Message}");
                }
            }
            catch (Exception exception)
            {
                crashes.Add($"{problem.Name}: {exception.GetType().Name}: {exception.Message}");
            }
        }

        double rate = (double)parsed / problems.Count;
        string top = string.Join(", ", constructs.OrderByDescending(static pair => pair.Value).ThenBy(static pair => pair.Key, StringComparer.Ordinal)
            .Select(static pair => $"{pair.Key} ×{pair.Value}"));
        string report = $"{parsed} of {problems.Count} parsed ({rate:P1}); unsupported: {top}";
        output.WriteLine(report);

        Assert.Equal(488, problems.Count);
        Assert.True(crashes.Count == 0, "crashes:\n" + string.Join('\n', crashes));
        Assert.True(errors.Count == 0, "valid Lean rejected as malformed or ill-typed:\n" + string.Join('\n', errors));
        Assert.True(rate >= ParseRateFloor, report);
    }

    [Fact]
    public void Print_EveryParsedMiniF2FStatement_ParsesBackToTheSameIr()
    {
        List<string> failures = [];
        int count = 0;
        foreach ((Problem problem, FormalStatement statement) in Parsed())
        {
            count++;
            string printed = LeanPrinter.Print(statement);
            FormalParseResult again = LeanStatementParser.TryParse(printed);
            if (!again.Succeeded || again.Statement != statement)
            {
                failures.Add($"{problem.Name}\n  printed:  {printed}\n  error:    {again.Error?.Message}\n  expected: {FormalDump.Of(statement)}\n"
                    + $"  actual:   {(again.Statement is null ? "-" : FormalDump.Of(again.Statement))}");
            }
            else if (LeanPrinter.Print(again.Statement) != printed)
            {
                failures.Add($"{problem.Name}: printing is not a fixed point: {printed}");
            }
        }

        Assert.True(count > 400, $"only {count} statements parsed");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Parse_EveryParsedMiniF2FStatement_HasTheCoercionsLeanInserted()
    {
        List<string> failures = [];
        foreach ((Problem problem, FormalStatement statement) in Parsed())
        {
            int mine = statement.Hypotheses.Sum(static hypothesis => Casts(hypothesis.Proposition)) + Casts(statement.Conclusion)
                + PositiveNaturalCasts(statement) + SetToTypeCoercions(statement);
            int lean = problem.Goal.Count(static c => c == '↑');
            if (mine != lean)
            {
                failures.Add($"{problem.Name}: {mine} casts, Lean {lean}\n  goal: {problem.Goal.Replace('\n', '|')}\n  IR:   {FormalDump.Of(statement)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Parse_EveryParsedMiniF2FStatement_GivesQuantifiedVariablesTheTypesLeanInferred()
    {
        List<string> failures = [];
        int checkedBinders = 0;
        foreach ((Problem problem, FormalStatement statement) in Parsed())
        {
            List<string> mine = [];
            foreach (FormalHypothesis hypothesis in statement.Hypotheses)
            {
                CollectBinders(hypothesis.Proposition, mine);
            }

            CollectBinders(statement.Conclusion, mine);
            foreach (Match match in GoalBinder().Matches(problem.Goal))
            {
                string quantifier = match.Groups[1].Value switch
                {
                    "∀" => nameof(Quantifier.ForAll),
                    "∃" => nameof(Quantifier.Exists),
                    _ => nameof(Quantifier.ExistsUnique),
                };
                foreach (string name in match.Groups[2].Value.Split(' '))
                {
                    checkedBinders++;
                    string wanted = $"{quantifier} {name} : {match.Groups[3].Value}";
                    if (!mine.Contains(wanted))
                    {
                        failures.Add($"{problem.Name}: Lean has {wanted}; the IR has {string.Join(", ", mine)}");
                    }
                }
            }
        }

        output.WriteLine($"{checkedBinders} binders checked");
        Assert.True(checkedBinders > 100, $"only {checkedBinders} binders checked");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("mathd_algebra_342", "k : ℝ", "a : ℝ", "d : ℝ")]
    [InlineData("amc12a_2021_p9", "k : ℕ")]
    [InlineData("mathd_algebra_158", "k : ℕ", "a : ℕ")]
    [InlineData("induction_pord1p1on2powklt5on2", "k : ℕ", "n : ℕ")]
    public void Parse_MiniF2FStatementWithAnUnboundName_BindsItAsLeanDid(string name, params string[] variables)
    {
        Problem problem = Problems.Value.Single(candidate => candidate.Name == name);

        FormalStatement statement = LeanStatementParser.Parse(problem.Statement);

        Assert.Equal(variables, statement.Variables.Select(static variable => $"{variable.Name} : {variable.Type}"));
    }

    [GeneratedRegex(@"(∀|∃!?) \(([^():]+) : ([^()]+?)\)")]
    private static partial Regex GoalBinder();

    /// <summary>
    /// A ℕ+ variable is a ℕ one with a positivity hypothesis in the IR; Lean casts it twice (<c>↑↑x</c>: ℕ+ → ℕ → ℝ)
    /// where the IR casts once, so each cast of one counts once more.
    /// </summary>
    private static int PositiveNaturalCasts(FormalStatement statement)
    {
        HashSet<string> positive = [.. statement.Hypotheses.Where(static h => h.Name.EndsWith("_pos", StringComparison.Ordinal)).Select(static h => h.Name[..^4])];
        return statement.Hypotheses.Select(static h => h.Proposition).Append(statement.Conclusion)
            .SelectMany(Planning.Provers.Evaluation.ExprTree.Descendants)
            .Count(e => e is CastExpr { Operand: VariableExpr variable } && positive.Contains(variable.Name));
    }

    /// <summary>
    /// <c>Fintype s</c> of a set: Lean coerces the set to a type (<c>Fintype ↑s</c>, CoeSort), a coercion the IR's
    /// proposition "s is finite" does not need, so each counts once.
    /// </summary>
    private static int SetToTypeCoercions(FormalStatement statement)
    {
        return statement.Hypotheses.Select(static h => h.Proposition).Append(statement.Conclusion)
            .SelectMany(Planning.Provers.Evaluation.ExprTree.Descendants)
            .Count(static e => e is CallExpr { Function: FormalFunction.Fintype });
    }

    private static int Casts(FormalExpr expression)
    {
        return expression switch
        {
            CastExpr cast => 1 + Casts(cast.Operand),
            NegateExpr negate => Casts(negate.Operand),
            ArithmeticExpr arithmetic => Casts(arithmetic.Left) + Casts(arithmetic.Right),
            RelationExpr relation => Casts(relation.Left) + Casts(relation.Right),
            LogicalExpr logical => Casts(logical.Left) + Casts(logical.Right),
            NotExpr not => Casts(not.Operand),
            QuantifierExpr quantifier => Casts(quantifier.Body),
            BigOperatorExpr big => Casts(big.Domain) + Casts(big.Body),
            SetBuilderExpr set => Casts(set.Predicate),
            FilterExpr filter => Casts(filter.Predicate) + Casts(filter.Source),
            CallExpr call => call.Arguments.Sum(Casts),
            ApplyExpr apply => apply.Arguments.Sum(Casts),
            _ => 0,
        };
    }

    private static void CollectBinders(FormalExpr expression, List<string> binders)
    {
        switch (expression)
        {
            case QuantifierExpr quantifier:
                binders.Add($"{quantifier.Quantifier} {quantifier.Variable} : {quantifier.VariableType}");
                CollectBinders(quantifier.Body, binders);
                break;
            case LogicalExpr logical:
                CollectBinders(logical.Left, binders);
                CollectBinders(logical.Right, binders);
                break;
            case NotExpr not:
                CollectBinders(not.Operand, binders);
                break;
            case SetBuilderExpr set:
                CollectBinders(set.Predicate, binders);
                break;
            case CallExpr call:
                foreach (FormalExpr argument in call.Arguments)
                {
                    CollectBinders(argument, binders);
                }

                break;
            default:
                break;
        }
    }
}
