using Weir.Testing;

namespace Weir.Rtls.Tests;

/// <summary>
/// The independent side of the byte-compatibility tests: Debian's protoc generates message_pb2.py from the same
/// .proto, and Debian's python3-protobuf (run by /usr/bin/python3) encodes and decodes with it.
/// </summary>
internal sealed class PythonProtobuf : IDisposable
{
    private readonly TempDirectory _folder = new("rtls-proto");

    private PythonProtobuf()
    {
    }

    public string ModuleFolder => _folder.Path;

    public static async Task<PythonProtobuf> CreateAsync()
    {
        var protoc = ProcessRun.Which("protoc")
            ?? throw new InvalidOperationException("protoc not found: run scripts/test.sh, which installs Debian protobuf-compiler and libprotobuf-dev");
        if (!File.Exists("/usr/bin/python3"))
        {
            throw new InvalidOperationException("/usr/bin/python3 not found: install Debian python3 and python3-protobuf (scripts/test.sh does)");
        }

        var python = new PythonProtobuf();
        var proto = Path.Combine(AppContext.BaseDirectory, "proto");
        var result = await ProcessRun.RunAsync(protoc, [$"-I{proto}", "-I/usr/include", $"--python_out={python.ModuleFolder}", Path.Combine(proto, "message.proto")], TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            python.Dispose();
            throw new InvalidOperationException($"protoc failed (is libprotobuf-dev installed for google/protobuf/timestamp.proto?): {result.Describe()}");
        }

        return python;
    }

    /// <summary>Runs a Python script with message_pb2 importable; returns its standard output.</summary>
    public async Task<string> RunAsync(string script, string? input = null)
    {
        var environment = new Dictionary<string, string> { ["PYTHONPATH"] = ModuleFolder, ["PYTHONDONTWRITEBYTECODE"] = "1" };
        var result = await ProcessRun.RunAsync("/usr/bin/python3", ["-c", script], TimeSpan.FromSeconds(120), input, environment: environment);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 failed (python3-protobuf installed?): {result.Describe()}");
        }

        return result.StandardOutput;
    }

    public void Dispose() => _folder.Dispose();
}
