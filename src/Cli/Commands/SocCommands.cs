using System.CommandLine;

namespace Planning.Cli.Commands;

/// <summary>The <c>plan soc</c> group: agentic LLM serving on a heterogeneous SoC (Agent.xpu).</summary>
internal static class SocCommands
{
    public static Command Create(ConsoleIo io) => new("soc", "Agentic LLM serving on a heterogeneous SoC (CPU, iGPU, NPU on one DRAM): Agent.xpu's kernel graph, mapping and scheduling")
    {
        SocMapCommand.Create(io),
        SocSimulateCommand.Create(io),
        SocGenerateCommand.Create(io),
        SocRunCommand.Create(io),
    };
}
