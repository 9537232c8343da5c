using NetSentinel.Cli;

return NetSentinelApp.Run(args, Console.Out, Console.Error, SourceFactories.ForThisOs);
