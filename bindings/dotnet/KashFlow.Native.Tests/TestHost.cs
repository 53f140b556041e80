// What the tests need as a host: a temporary journal directory, configuration documents, order
// snapshots (the shared template from ffi/tests/support), loopback ports that refuse or hang.
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kfs-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class TestHost
{
    private static readonly string Template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "order-snapshot.json"));

    /// <summary>An engine configuration journaling under <paramref name="dir"/>.</summary>
    public static string Config(string dir, string mode = "Sandbox", string? baseUrl = null, int timeoutSeconds = 5)
    {
        var kashflow = new JsonObject
        {
            ["Mode"] = mode,
            ["UserName"] = "sandbox",
            ["Password"] = "sandbox-password",
            ["MemorableWord"] = "kashflow",
            ["TimeoutSeconds"] = timeoutSeconds,
        };
        if (baseUrl is not null) kashflow["BaseUrl"] = baseUrl;
        return new JsonObject
        {
            ["JournalPath"] = Path.Combine(dir, "journal.sqlite"),
            ["KashFlow"] = kashflow,
            ["Workers"] = 2,
            ["Retry"] = new JsonObject { ["MaxAttempts"] = 3, ["BaseDelayMs"] = 50, ["MaxDelayMs"] = 200 },
        }.ToJsonString();
    }

    /// <summary>The template order snapshot as order <paramref name="id"/>.</summary>
    public static string Order(long id)
    {
        var node = JsonNode.Parse(Template)!;
        node["Id"] = id;
        node["CustomOrderNumber"] = id.ToString();
        node["OrderGuid"] = $"b7c8d9e0-f1a2-4b3c-9d4e-{id:D12}";
        return node.ToJsonString();
    }

    /// <summary>A 127.0.0.1 port nothing listens on.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>A 127.0.0.1 server that accepts connections and never answers (a hung KashFlow).</summary>
internal sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = new();
    private readonly CancellationTokenSource _stop = new();

    public SilentServer()
    {
        _listener.Start();
        _ = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted { get { lock (_held) return _held.Count; } }

    private async Task AcceptLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held) _held.Add(client);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            foreach (var c in _held) c.Dispose();
        }
    }
}
