using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Weir.Testing;

/// <summary>
/// Debian's chromium, headless, driven over the DevTools protocol: open a page and evaluate JavaScript in it while it
/// runs in real time (pages with live connections, which --dump-dom cannot wait for). Dispose to close the browser.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process process, TempDirectory profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Starts chromium and opens <paramref name="url"/> in its page.</summary>
    public static async Task<HeadlessChromium> OpenAsync(Uri url, TimeSpan timeout)
    {
        var chromium = ProcessRun.Which("chromium")
            ?? throw new InvalidOperationException("chromium not found: run scripts/test.sh, which installs Debian chromium");
        var profile = new TempDirectory("chromium");
        var process = ProcessRun.Start(chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0",
             $"--user-data-dir={profile.Path}", "about:blank"]);
        var browser = new HeadlessChromium(process, profile);
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && DevToolsLine().Match(line) is { Success: true } match)
            {
                endpoint.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browserSocket = await endpoint.Task.WaitAsync(timeout).ConfigureAwait(false);
        using var http = new HttpClient();
        var targets = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://{browserSocket.Authority}/json/list")).ConfigureAwait(false));
        var page = targets.RootElement.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
        await browser._socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None).ConfigureAwait(false);
        await browser.CallAsync("Page.navigate", new { url = url.ToString() }).ConfigureAwait(false);
        return browser;
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value as text.</summary>
    public async Task<string> EvaluateAsync(string expression)
    {
        var result = await CallAsync("Runtime.evaluate", new { expression, returnByValue = true }).ConfigureAwait(false);
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()) : "";
    }

    private async Task<JsonElement> CallAsync(string method, object parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await _socket.SendAsync(request, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            using var document = JsonDocument.Parse(message.ToArray());
            if (document.RootElement.TryGetProperty("id", out var answered) && answered.GetInt32() == id)
            {
                return document.RootElement.TryGetProperty("result", out var result)
                    ? result.Clone()
                    : throw new InvalidOperationException($"{method} failed: {Encoding.UTF8.GetString(message.ToArray())}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
            // the browser is going anyway
        }

        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        _profile.Dispose();
    }

    [GeneratedRegex("DevTools listening on (ws://\\S+)")]
    private static partial Regex DevToolsLine();
}
