using System.Diagnostics;
using System.Text;

namespace Weir.Testing;

/// <summary>Collects the output lines of a running process (started with redirected output) so a test can wait for one.</summary>
public sealed class LineCollector
{
    private readonly List<string> _lines = [];

    public LineCollector(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Text
    {
        get
        {
            var text = new StringBuilder();
            foreach (var line in Lines)
            {
                text.AppendLine(line);
            }

            return text.ToString();
        }
    }

    /// <summary>Waits until a line satisfies <paramref name="match"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        string? found = null;
        await Eventually.HoldsAsync(
            () => (found = Lines.FirstOrDefault(match)) is not null,
            timeout,
            () => $"no matching line; output so far:\n{Text}").ConfigureAwait(false);
        return found!;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
