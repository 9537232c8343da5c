using NetSentinel.Cli;

return NetSentinelApp.Run(args, StandardOutput.Open(), Console.Error, SourceFactories.ForThisOs);
