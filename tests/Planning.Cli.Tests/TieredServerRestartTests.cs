namespace Planning.Cli.Tests;

public sealed class TieredServerRestartTests
{
    private static string? NoVariables(string name) => null;

    [Fact]
    public void Applies_KbServeOrEvalWithoutAJitMode_OnLinuxOnly()
    {
        Assert.Equal(OperatingSystem.IsLinux(), TieredServerRestart.Applies(["kb", "serve", "--db", "kb.db"], NoVariables));
        Assert.Equal(OperatingSystem.IsLinux(), TieredServerRestart.Applies(["kb", "eval", "--db", "kb.db"], NoVariables));
    }

    [Theory]
    [InlineData("kb", "search")]
    [InlineData("moe", "balance")]
    [InlineData("serve", "kb")]
    public void Applies_OtherCommands_KeepTheBuiltMode(string first, string second)
    {
        Assert.False(TieredServerRestart.Applies([first, second], NoVariables));
    }

    [Theory]
    [InlineData("DOTNET_TieredCompilation", "0")]
    [InlineData("DOTNET_TieredCompilation", "1")]
    [InlineData("COMPlus_TieredCompilation", "0")]
    public void Applies_ModeChosenByTheUser_Kept(string variable, string value)
    {
        Assert.False(TieredServerRestart.Applies(["kb", "serve"], name => name == variable ? value : null));
    }

    [Fact]
    public void ParseCommandLine_NulTerminatedArguments_EmptyOnesKept()
    {
        Assert.Equal(["dotnet", "plan.dll", "kb", "serve", "", "x y"], TieredServerRestart.ParseCommandLine("dotnet\0plan.dll\0kb\0serve\0\0x y\0"));
        Assert.Equal(["plan"], TieredServerRestart.ParseCommandLine("plan"));
        Assert.Empty(TieredServerRestart.ParseCommandLine(""));
    }
}
