using Planning.Cli;

if (TieredServerRestart.Applies(args, Environment.GetEnvironmentVariable))
{
    TieredServerRestart.Restart(Console.Error);
}

return PlanApp.Run(args, Console.Out, Console.Error);
