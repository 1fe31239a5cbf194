using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>The third-party programs the interop tests drive; a missing one fails with the package to install.</summary>
internal static class Tools
{
    public static string Kcat => Require("kcat", "the Debian package kcat");

    /// <summary>Debian's python3 (with python3-kafka), not whatever python3 comes first on PATH.</summary>
    public static string Python => Require("/usr/bin/python3", "the Debian packages python3 and python3-kafka");

    public static string Node => Require("node", "Node.js 20");

    /// <summary>tests/node, with KafkaJS installed by scripts/test.sh (npm ci).</summary>
    public static string NodeProject
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "tests", "node");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return Directory.Exists(Path.Combine(candidate, "node_modules", "kafkajs"))
                        ? candidate
                        : throw new InvalidOperationException($"KafkaJS is not installed in {candidate}: run scripts/test.sh (it runs npm ci there)");
                }
            }

            throw new InvalidOperationException("tests/node not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A script shipped beside the tests (copied to the output folder).</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    private static string Require(string program, string package) =>
        ProcessRun.Which(program) ?? throw new InvalidOperationException($"{program} not found: run scripts/test.sh, which installs {package}");
}
