using System.CommandLine;
using System.Globalization;
using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;
using Spectre.Console;

namespace Planning.Cli.Commands;

/// <summary><c>plan formal equiv</c>, <c>plan formal select</c> and <c>plan formal minif2f</c>.</summary>
internal static class FormalCommands
{
    public static Command Create(ConsoleIo io) => new("formal", "Formal statements: equivalence of Lean statements, selection among candidate formalizations")
    {
        Equiv(io),
        FormalSelectCommand.Create(io),
        FormalMiniF2FCommand.Create(io),
        FormalPeersCommand.Create(io),
    };

    /// <summary>The SMT backend option: Z3 in-process (default) or Z3 as a process with a hard wall-clock limit.</summary>
    public static Option<string> Backend() => new("--backend")
    {
        Description = "SMT backend: inprocess (Z3 through Microsoft.Z3, default) | process (the z3 executable, killed at the limit)",
        DefaultValueFactory = _ => "inprocess",
    };

    /// <summary>The z3 executable that <c>--backend process</c> starts (a name on PATH or a path).</summary>
    public static Option<string> Z3Executable() => new("--z3")
    {
        Description = "The z3 executable for --backend process: a name found on PATH (default z3) or a path",
        DefaultValueFactory = _ => "z3",
    };

    /// <summary>A factory of fresh backends of the named kind; each caller thread gets its own.</summary>
    /// <param name="name">The <c>--backend</c> value.</param>
    /// <param name="z3Executable">The <c>--z3</c> value, used by the process backend.</param>
    public static Func<ISmtBackend> BackendFactory(string name, string z3Executable) => name switch
    {
        "inprocess" => static () => new Z3InProcessBackend(),
        "process" => string.IsNullOrWhiteSpace(z3Executable)
            ? throw new PlanningInputException("--z3", "must name the z3 executable, got an empty value")
            : () => new Z3ProcessBackend(new Z3ProcessOptions { ExecutablePath = z3Executable }),
        _ => throw new PlanningInputException("--backend", $"unknown backend '{name}' (expected inprocess or process)"),
    };

    /// <summary>The per-check limit from <c>--time-limit</c> seconds, which must be positive.</summary>
    public static EquivalenceOptions Equivalence(double seconds) => seconds > 0 && double.IsFinite(seconds)
        ? new EquivalenceOptions { CheckLimit = TimeSpan.FromSeconds(seconds) }
        : throw new PlanningInputException("--time-limit", $"must be a positive number of seconds, got {seconds.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// Parses a statement given on the command line. Malformed or ill-typed text is bad input (exit 2, naming the
    /// option); a construct outside the supported subset is not: it gives an <c>unknown</c> verdict.
    /// </summary>
    public static FormalStatement? ParseStatement(string field, string text, out string? unsupported)
    {
        FormalParseResult result = LeanStatementParser.TryParse(text);
        unsupported = null;
        if (result.Statement is { } statement)
        {
            return statement;
        }

        FormalParseException error = result.Error!;
        if (error.IsUnsupported)
        {
            unsupported = error.Reason;
            return null;
        }

        throw new PlanningInputException(field, error.Message);
    }

    private static Command Equiv(ConsoleIo io)
    {
        var first = new Option<string>("--a") { Description = "A Lean 4 theorem statement (miniF2F style; the proof ':= by ...' is optional)", Required = true };
        var second = new Option<string>("--b") { Description = "The other statement", Required = true };
        var timeLimit = CommonOptions.TimeLimit(2);
        var backend = Backend();
        var z3 = Z3Executable();
        var format = CommonOptions.Format();
        var command = new Command("equiv", "Decide whether two Lean statements formalize the same problem: hypotheses equivalent and, under them, conclusions equivalent")
        {
            first, second, timeLimit, backend, z3, format,
        };
        command.SetAction(parse =>
        {
            EquivalenceOptions options = Equivalence(parse.GetValue(timeLimit));
            Func<ISmtBackend> factory = BackendFactory(parse.GetValue(backend)!, parse.GetValue(z3)!);
            FormalStatement? a = ParseStatement("--a", parse.GetValue(first)!, out string? unsupportedA);
            FormalStatement? b = ParseStatement("--b", parse.GetValue(second)!, out string? unsupportedB);
            EquivalenceResult result;
            if (a is null || b is null)
            {
                result = new EquivalenceResult(EquivalenceVerdict.Unknown, (unsupportedA ?? unsupportedB)!, null, false, false, TimeSpan.Zero);
            }
            else
            {
                using ISmtBackend smt = factory();
                result = new StatementEquivalence(smt, options).Check(a, b);
            }

            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Format.WriteJson(io, writer => EquivalenceResultJson.Write(writer, result));
            }
            else
            {
                WriteEquivalenceTable(io, result);
            }

            return 0;
        });
        return command;
    }

    private static void WriteEquivalenceTable(ConsoleIo io, EquivalenceResult result)
    {
        var table = new Table().AddColumn("verdict").AddColumn("reason").AddColumn(new TableColumn("ms").RightAligned());
        table.AddRow(
            EquivalenceResultJson.VerdictName(result.Verdict),
            Markup.Escape(result.Reason),
            result.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
        io.Tables.Write(table);
        if (result.Counterexample is { Count: > 0 } counterexample)
        {
            io.Out.WriteLine("counterexample: " + string.Join(", ", counterexample
                .OrderBy(static pair => pair.Key, StringComparer.Ordinal)
                .Select(static pair => pair.Key + " = " + pair.Value)));
        }

        if (result.FirstVacuous || result.SecondVacuous)
        {
            io.Out.WriteLine("vacuous: " + (result.FirstVacuous && result.SecondVacuous ? "both statements" : result.FirstVacuous ? "--a" : "--b")
                + " (hypotheses unsatisfiable)");
        }

        io.Out.WriteLine("as theorems: " + EquivalenceResultJson.VerdictName(result.TheoremVerdict)
            + (result.TheoremCounterexample is { Count: > 0 } witness
                ? " (" + string.Join(", ", witness.OrderBy(static pair => pair.Key, StringComparer.Ordinal).Select(static pair => pair.Key + " = " + pair.Value)) + ")"
                : string.Empty));
        if (result.Closed)
        {
            io.Out.WriteLine("closed: no variables, so equivalent means the same truth value");
        }
    }
}
