// Debian's headless Chromium driven over the DevTools protocol (a WebSocket on 127.0.0.1): one browser
// for all pages, each page opened from its file at 1400 px, checked by page-checks.js and screenshot in
// full. Headless, no sandbox (CI runs as root), no GPU, no network (host names resolve to nothing); its profile, cache and HOME are a temporary
// folder deleted on dispose, so nothing is left behind.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViewRender.Host;

public sealed record PageReport(int Width, int Height, IReadOnlyList<string> Problems);

public sealed class Chromium : IAsyncDisposable
{
    public const int ViewportWidth = 1400;
    private const int ViewportHeight = 900;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>/usr/bin/chromium (Debian's package), or KASHFLOW_CHROMIUM.</summary>
    public static string Executable => System.Environment.GetEnvironmentVariable("KASHFLOW_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly StringBuilder _stderr;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _calls = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _loads = new();
    private readonly ConcurrentQueue<string> _scriptErrors = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private int _nextId;
    private string _session;

    /// <summary>The temporary profile (and HOME) of this browser; deleted on dispose.</summary>
    public string ProfileDirectory => _profile;

    public int ProcessId => _process.Id;

    private Chromium(Process process, string profile, StringBuilder stderr)
    {
        _process = process;
        _profile = profile;
        _stderr = stderr;
    }

    public static async Task<Chromium> StartAsync()
    {
        if (!File.Exists(Executable))
            throw new FileNotFoundException($"headless Chromium not found at {Executable}: install Debian's chromium package (.ci/debian-packages.txt; bash .ci/bootstrap) or set KASHFLOW_CHROMIUM");
        var profile = Directory.CreateTempSubdirectory("viewrender-chromium-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
            "--allow-file-access-from-files", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            // no network: the pages are files; any host name a page names resolves to nothing
            "--host-resolver-rules=MAP * ~NOTFOUND", "--no-proxy-server",
            $"--user-data-dir={profile}", $"--disk-cache-dir={Path.Combine(profile, "cache")}",
            $"--window-size={ViewportWidth},{ViewportHeight}", "about:blank",
        })
            start.ArgumentList.Add(arg);
        // Chromium also writes under HOME (~/.pki, ~/.cache): point it at the temporary profile
        start.Environment["HOME"] = profile;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(profile, "config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(profile, "cache");

        var stderr = new StringBuilder();
        var endpoint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                endpoint.TrySetException(new InvalidOperationException($"Chromium closed its output before offering DevTools:\n{stderr}"));
                return;
            }
            lock (stderr)
                stderr.AppendLine(e.Data);
            const string listening = "DevTools listening on ";
            var at = e.Data.IndexOf(listening, StringComparison.Ordinal);
            if (at >= 0)
                endpoint.TrySetResult(e.Data[(at + listening.Length)..].Trim());
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var chromium = new Chromium(process, profile, stderr);
        try
        {
            var url = await endpoint.Task.WaitAsync(Patience);
            await chromium._socket.ConnectAsync(new Uri(url), CancellationToken.None);
            chromium._reader = Task.Run(chromium.ReadAsync);
            var target = await chromium.CallAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, session: false);
            var attached = await chromium.CallAsync("Target.attachToTarget",
                new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true }, session: false);
            chromium._session = attached.GetProperty("sessionId").GetString();
            await chromium.CallAsync("Page.enable");
            await chromium.CallAsync("Runtime.enable");
            return chromium;
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the file at 1400 px, runs the checks, and writes a full-page PNG.</summary>
    public async Task<PageReport> CheckAsync(string htmlFile, string screenshot, string checksScript)
    {
        await CallAsync("Emulation.setDeviceMetricsOverride", Metrics(ViewportHeight));
        while (_scriptErrors.TryDequeue(out _))
        {
        }
        var loaded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loads[_session] = loaded;
        var navigation = await CallAsync("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri });
        if (navigation.TryGetProperty("errorText", out var error) && error.GetString() is { Length: > 0 } text)
            throw new InvalidOperationException($"Chromium could not open {htmlFile}: {text}");
        await loaded.Task.WaitAsync(Patience);

        var result = await CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = checksScript, ["returnByValue"] = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
            throw new InvalidOperationException($"the page checks failed to run in {htmlFile}: {exception}");
        var value = result.GetProperty("result").GetProperty("value");
        var problems = value.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        problems.AddRange(_scriptErrors.Select(e => "script error: " + e));
        var width = value.GetProperty("width").GetInt32();
        var height = value.GetProperty("height").GetInt32();

        // the whole page in one picture: the viewport as tall as the page
        await CallAsync("Emulation.setDeviceMetricsOverride", Metrics(Math.Clamp(height, ViewportHeight, 16000)));
        var shot = await CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(screenshot))!);
        await File.WriteAllBytesAsync(screenshot, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
        return new PageReport(width, height, problems);
    }

    /// <summary>The page last checked, again, at most <paramref name="maxHeight"/> px tall (the docs' pictures).</summary>
    public async Task<long> SaveTopAsync(string png, int maxHeight, int pageHeight)
    {
        var clip = new JsonObject { ["x"] = 0, ["y"] = 0, ["width"] = ViewportWidth, ["height"] = Math.Min(maxHeight, Math.Max(pageHeight, ViewportHeight)), ["scale"] = 1 };
        var shot = await CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["clip"] = clip });
        var bytes = Convert.FromBase64String(shot.GetProperty("data").GetString()!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(png))!);
        await File.WriteAllBytesAsync(png, bytes);
        return bytes.Length;
    }

    private static JsonObject Metrics(int height) => new()
    {
        ["width"] = ViewportWidth,
        ["height"] = height,
        ["deviceScaleFactor"] = 1,
        ["mobile"] = false,
    };

    private Task<JsonElement> CallAsync(string method, JsonObject parameters = null) => CallAsync(method, parameters, session: true);

    private async Task<JsonElement> CallAsync(string method, JsonObject parameters, bool session)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (session)
            message["sessionId"] = _session;
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
        try
        {
            return await answer.Task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Chromium did not answer {method} within {Patience.TotalSeconds} s:\n{Stderr}");
        }
    }

    private string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var part = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (part.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage)
                    continue;
                Dispatch(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var call in _calls.Values)
            call.TrySetException(new InvalidOperationException($"Chromium's DevTools connection closed:\n{Stderr}"));
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (!_calls.TryRemove(id.GetInt32(), out var call))
                return;
            if (message.TryGetProperty("error", out var error))
                call.TrySetException(new InvalidOperationException($"Chromium refused a DevTools call: {error}"));
            else
                call.TrySetResult(message.GetProperty("result"));
            return;
        }
        var method = message.TryGetProperty("method", out var m) ? m.GetString() : null;
        var session = message.TryGetProperty("sessionId", out var s) ? s.GetString() : null;
        if (method == "Page.loadEventFired" && session is not null && _loads.TryRemove(session, out var loaded))
            loaded.TrySetResult(true);
        else if (method == "Runtime.exceptionThrown")
        {
            var details = message.GetProperty("params").GetProperty("exceptionDetails");
            var text = details.TryGetProperty("exception", out var ex) && ex.TryGetProperty("description", out var d) ? d.GetString() : details.GetProperty("text").GetString();
            _scriptErrors.Enqueue((text ?? "").Split('\n')[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
                await CallAsync("Browser.close", null, session: false).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or WebSocketException)
        {
        }
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }
        if (!_process.HasExited)
        {
            // Browser.close asks; a browser that does not go is ended (its own process tree only)
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _socket.Dispose();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
                break;
            }
            catch (IOException) when (attempt < 5)
            {
                // a helper process may still be closing a file in the profile
                Thread.Yield();
            }
        }
    }
}
