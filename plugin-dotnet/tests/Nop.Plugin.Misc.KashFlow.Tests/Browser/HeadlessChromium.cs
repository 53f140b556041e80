// A small headless-Chromium driver over the DevTools protocol, self-contained in this one file: it
// starts Debian's /usr/bin/chromium (no browser download) with --remote-debugging-port=0, reads the
// port it chose from its DevToolsActivePort file, attaches to its page over a BCL ClientWebSocket and
// sends protocol commands (navigate, evaluate, real mouse clicks, screenshots). Waits are for
// conditions evaluated in the page, with a deadline; nothing sleeps for a fixed time.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Tests.Browser;

public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private int _nextId;

    /// <summary>Why Chromium cannot be used on this machine, or null when it can.</summary>
    public static string? Unavailable(string path = DefaultPath) =>
        File.Exists(path) ? null : $"{path} is not installed (apt-get install chromium)";

    private HeadlessChromium(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    public static async Task<HeadlessChromium> StartAsync(int width = 1400, int height = 900, string path = DefaultPath, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var profile = Path.Combine(Path.GetTempPath(), "kashflow-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--remote-debugging-port=0", "--user-data-dir=" + profile, $"--window-size={width},{height}", "about:blank",
        })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // Chromium writes the port it listens on to DevToolsActivePort in the profile
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            var watch = Stopwatch.StartNew();
            string? port = null;
            while (port is null)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"chromium exited with {process.ExitCode} before it listened");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException("chromium did not write DevToolsActivePort");
                if (File.Exists(portFile))
                {
                    var lines = await File.ReadAllLinesAsync(portFile);
                    if (lines.Length >= 1 && int.TryParse(lines[0], out _))
                        port = lines[0];
                }
                if (port is null)
                    await Task.Delay(50); // polling the file Chromium will write; the deadline bounds it
            }
            using var http = new HttpClient();
            string? pageSocket = null;
            while (pageSocket is null)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException("chromium listed no page target");
                var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
                pageSocket = targets.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
                if (pageSocket is null)
                    await Task.Delay(50);
            }
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
            var browser = new HeadlessChromium(process, profile, socket);
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            await browser.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
            return browser;
        }
        catch
        {
            Kill(process);
            TryDeleteDirectory(profile);
            throw;
        }
    }

    /// <summary>Sends one protocol command and returns its result (throws with the protocol's error).</summary>
    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        var reply = await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        if (reply["error"] is { } error)
            throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return reply["result"] as JsonObject ?? new JsonObject();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                    continue;
                var node = JsonNode.Parse(message.ToArray()) as JsonObject;
                message.SetLength(0);
                if (node?["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var waiter))
                    waiter.TrySetResult(node);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var waiter in _pending.Values)
            waiter.TrySetException(new InvalidOperationException("the DevTools connection closed"));
    }

    /// <summary>Evaluates a JavaScript expression in the page (promises awaited) and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
        });
        if (result["exceptionDetails"] is { } exception)
            throw new InvalidOperationException($"page script failed: {exception["exception"]?["description"] ?? exception.ToJsonString()}");
        return result["result"]?["value"]?.DeepClone();
    }

    public async Task<T?> EvaluateAsync<T>(string expression)
    {
        var value = await EvaluateAsync(expression);
        return value is null ? default : value.Deserialize<T>();
    }

    /// <summary>Navigates and waits until the document has loaded.</summary>
    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitForAsync("document.readyState === 'complete' && location.href === " + JsonSerializer.Serialize(url), "load " + url);
    }

    public Task ReloadAsync() => SendAsync("Page.reload");

    /// <summary>Waits until <paramref name="condition"/> (a JavaScript expression) is true in the page, or fails naming <paramref name="what"/>.</summary>
    public async Task WaitForAsync(string condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                if (await EvaluateAsync($"(() => {{ try {{ return !!({condition}); }} catch (e) {{ return false; }} }})()") is JsonValue v && v.GetValue<bool>())
                    return;
            }
            catch (InvalidOperationException)
            {
                // the page is between documents (a form post, a reload): ask again
            }
            if (deadline.Elapsed > limit)
            {
                string? text = null;
                try
                {
                    text = (await EvaluateAsync("document.body ? document.body.innerText.slice(0, 600) : ''"))?.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                }
                throw new TimeoutException($"waited {limit.TotalSeconds:0} s for {what} ({condition}); the page says: {text}");
            }
            await Task.Delay(25); // the next look at a condition the page has not reached yet
        }
    }

    /// <summary>A real mouse click (pressed + released) in the middle of the first element matching <paramref name="selector"/>.</summary>
    public async Task ClickAsync(string selector)
    {
        var box = await EvaluateAsync($$"""
            (() => {
                const e = document.querySelector({{JsonSerializer.Serialize(selector)}});
                if (!e) return null;
                e.scrollIntoView({ block: 'center' });
                const r = e.getBoundingClientRect();
                return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
            })()
            """) ?? throw new InvalidOperationException($"nothing matches {selector}");
        foreach (var type in new[] { "mousePressed", "mouseReleased" })
        {
            await SendAsync("Input.dispatchMouseEvent", new JsonObject
            {
                ["type"] = type,
                ["x"] = box["x"]!.GetValue<double>(),
                ["y"] = box["y"]!.GetValue<double>(),
                ["button"] = "left",
                ["clickCount"] = 1,
            });
        }
    }

    /// <summary>Types into a text field as a user does: focus, replace its text, then leave it (fires change).</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await ClickAsync(selector);
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).select()");
        await SendAsync("Input.insertText", new JsonObject { ["text"] = text });
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).blur()");
    }

    /// <summary>Chooses an option of a select by its value, as a user's choice does (fires change).</summary>
    public Task SelectAsync(string selector, string value) => EvaluateAsync($$"""
        (() => {
            const s = document.querySelector({{JsonSerializer.Serialize(selector)}});
            s.value = {{JsonSerializer.Serialize(value)}};
            if (s.value !== {{JsonSerializer.Serialize(value)}}) throw new Error('no option ' + {{JsonSerializer.Serialize(value)}});
            s.dispatchEvent(new Event('change', { bubbles: true }));
        })()
        """);

    /// <summary>A PNG of the whole page (beyond the window when the page is longer).</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(result["data"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
                await SendAsync("Browser.close", timeout: TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or WebSocketException or OperationCanceledException)
        {
        }
        _stop.Cancel();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }
        _socket.Dispose();
        if (!_process.WaitForExit(5000))
            Kill(_process);
        _process.Dispose();
        TryDeleteDirectory(_profile);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
