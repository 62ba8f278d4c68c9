using System.CommandLine;
using Planning.Cli.Commands;
using Planning.Provers;

namespace Planning.Cli;

/// <summary>
/// The <c>plan</c> tool: parses the command line, calls the libraries and prints. Exit codes: 0 success,
/// 2 bad input (one line on stderr naming the field), 1 an unexpected failure.
/// </summary>
public static class PlanApp
{
    /// <summary>Exit code for bad input.</summary>
    public const int BadInput = 2;

    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var io = new ConsoleIo(stdout, stderr);
        var root = new RootCommand("plan: constraint-solver planning for large-scale ML systems")
        {
            MoeCommands.Create(io),
            FormalCommands.Create(io),
            RolloutCommands.Create(io),
            SocCommands.Create(io),
            ReLibraCommands.Create(io),
            DemoCommand.Create(io),
            KbCommands.Create(io),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {parse.Errors[0].Message}");
            return BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (PlanningInputException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
        catch (ProversInputException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
        catch (UnauthorizedAccessException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // Parallel work (miniF2F workers, selection) wraps what a worker threw: report the first cause as if it
            // had been thrown here, so bad input still exits 2 and a missing tool still reads as one line.
            return Report(ex.Flatten().InnerExceptions[0], stderr);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or TimeoutException)
        {
            return Report(ex, stderr);
        }
    }

    /// <summary>
    /// One line on stderr for a failure that is not a stack trace's business: bad input exits 2; anything else (a
    /// missing executable such as <c>z3</c>, a native library that cannot load) exits 1.
    /// </summary>
    private static int Report(Exception ex, TextWriter stderr)
    {
        stderr.WriteLine($"error: {ex.Message}");
        return ex is PlanningInputException or ProversInputException or IOException or UnauthorizedAccessException ? BadInput : 1;
    }
}
