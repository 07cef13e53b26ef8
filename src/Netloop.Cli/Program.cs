using Netloop.Cli;

return await NetloopCommandLine.RunAsync(args).ConfigureAwait(false);
