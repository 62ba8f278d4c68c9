using Spectre.Console;

namespace Planning.Cli;

/// <summary>The tool's two streams and a Spectre console over stdout for tables (no colour, fixed width, so output is stable).</summary>
internal sealed class ConsoleIo
{
    public ConsoleIo(TextWriter stdout, TextWriter stderr)
    {
        Out = stdout;
        Error = stderr;
        Tables = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        Tables.Profile.Width = 160;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public IAnsiConsole Tables { get; }
}
