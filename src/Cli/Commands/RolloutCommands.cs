using System.CommandLine;

namespace Planning.Cli.Commands;

/// <summary><c>plan rollout simulate</c> and <c>plan rollout generate</c>.</summary>
internal static class RolloutCommands
{
    public static Command Create(ConsoleIo io) => new("rollout", "Agentic-RL rollout: trajectory traces and the Heddle orchestration simulator")
    {
        RolloutSimulateCommand.Create(io),
        RolloutGenerateCommand.Create(io),
        RolloutExportCommand.Create(io),
    };
}
