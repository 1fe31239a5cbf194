using Weir.Cli;

return await WeirCommandLine.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
