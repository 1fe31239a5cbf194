using System.CommandLine;

namespace Weir.Cli.Hosting;

/// <summary>Flag values override configuration only when the user actually typed the flag.</summary>
internal static class Flags
{
    public static T Or<T>(this ParseResult parse, Option<T> option, T fallback) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;

    public static bool Given(this ParseResult parse, Option option) =>
        parse.GetResult(option) is { Implicit: false };
}
