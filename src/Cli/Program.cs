using Planning.Cli;

return PlanApp.Run(args, Console.Out, Console.Error);
