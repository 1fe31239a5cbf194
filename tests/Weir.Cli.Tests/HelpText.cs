namespace Weir.Cli.Tests;

/// <summary>Reads the "Commands:" section of System.CommandLine's help output.</summary>
internal static class HelpText
{
    public static List<string> Commands(string help)
    {
        var verbs = new List<string>();
        var inCommands = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.StartsWith("Commands:", StringComparison.Ordinal))
            {
                inCommands = true;
                continue;
            }

            if (inCommands)
            {
                if (line.Length == 0 || !line.StartsWith("  ", StringComparison.Ordinal))
                {
                    break;
                }

                var name = line.Trim().Split(' ', 2)[0];
                if (name.Length > 0)
                {
                    verbs.Add(name);
                }
            }
        }

        return verbs;
    }
}
