using System.Globalization;
using System.Text.Json;
using Weir.Pipelines.Shared;

namespace Weir.Factory.Tests;

public sealed class PythonJsonTests
{
    [Fact]
    public async Task Floats_are_written_as_Python_repr_writes_them()
    {
        var random = new Random(3);
        var values = new List<double>
        {
            0.0, -0.0, 1.0, -1.0, 0.1, 1e-4, 1e-5, 1.5e-5, 123456789012345.6, 1e15, 1e16, 1.2345e16, 1e22, 1e300,
            5e-324, double.MaxValue, 797.3838872696809, -9972.056046579735, 15.685808348048699, 100, 2.5, 0.000123,
        };
        for (var i = 0; i < 200; i++)
        {
            values.Add((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 20)));
        }

        var input = string.Join("\n", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var expected = await Python.RunAsync("import sys\nfor line in sys.stdin.read().split('\\n'):\n    print(repr(float(line)))", input);

        var actual = string.Join("\n", values.Select(PythonJson.Float)) + "\n";
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Records_are_written_as_json_dumps_writes_them()
    {
        const string records = """
            [{"id": 19, "val": 797.3838872696809, "time": 1624377478},
             {"time":1624378574,"product":0,"production":0},
             {"b": 1e2, "a": [1, 2.50, {"x": null}], "s": "caf\u00e9 \"q\" \\ \t\u0001\u007f😀", "t": true, "f": false},
             {"dup": 1, "other": 2, "dup": 3.0},
             {"neg": -0, "big": 123456789012345678901234567890, "exp": 1E-7, "z": -0.0}]
            """;
        var expected = await Python.RunAsync("import json,sys\nfor r in json.load(sys.stdin):\n    print(json.dumps(r))", records);

        using var document = JsonDocument.Parse(records);
        var actual = string.Concat(document.RootElement.EnumerateArray().Select(r => PythonJson.Dumps(r) + "\n"));
        Assert.Equal(expected, actual);
    }
}
