// TLS on Windows: the library (rustls, rustls-native-certs → schannel) checks KashFlow's certificate
// against the roots of the Windows certificate store, and SSL_CERT_FILE, when set, is read instead of
// the store (the pitfall the README documents). .ci/windows-test puts a TLS front with a throw-away
// test root ("localhost") before kfsync sandbox and passes its address and two roots here
// (KFS_TLS_URL, KFS_TLS_ROOT that signed it, KFS_TLS_OTHER that did not).
// Under wine the ROOT store is the host's trust store, read-only (certificates added to it are not
// seen), so "trusted once added to the Windows store" can only be proven on real Windows.
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class WindowsTlsTests
{
    [Fact]
    public async Task Live_mode_checks_KashFlows_certificate_and_SSL_CERT_FILE_replaces_the_store()
    {
        Assert.True(OperatingSystem.IsWindows(), "run this under Windows or wine");
        string url = Environment.GetEnvironmentVariable("KFS_TLS_URL") ?? throw new InvalidOperationException("KFS_TLS_URL is not set (.ci/windows-test sets it)");
        string root = Environment.GetEnvironmentVariable("KFS_TLS_ROOT") ?? throw new InvalidOperationException("KFS_TLS_ROOT is not set");
        string other = Environment.GetEnvironmentVariable("KFS_TLS_OTHER") ?? throw new InvalidOperationException("KFS_TLS_OTHER is not set");
        Assert.Null(Environment.GetEnvironmentVariable("SSL_CERT_FILE"));

        // the store's roots are loaded (no "no root certificates" failure) and do not include the
        // test root: the handshake is refused, nothing reaches the sandbox
        var refused = await TestConnection(url);
        Assert.False(refused.GetProperty("Ok").GetBoolean(), refused.ToString());
        Assert.Contains("UnknownIssuer", refused.GetProperty("Message").GetString()!);

        try
        {
            // SSL_CERT_FILE naming the test root: read instead of the store, so the login goes through TLS
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", root);
            var viaFile = await TestConnection(url);
            Assert.True(viaFile.GetProperty("Ok").GetBoolean(), viaFile.ToString());

            // naming another root: refused again (a server's SSL_CERT_FILE left from some other tool
            // silently narrows what the site trusts to that file)
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", other);
            var narrowed = await TestConnection(url);
            Assert.False(narrowed.GetProperty("Ok").GetBoolean(), narrowed.ToString());
            Assert.Contains("UnknownIssuer", narrowed.GetProperty("Message").GetString()!);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SSL_CERT_FILE", null);
        }
    }

    private static async Task<JsonElement> TestConnection(string url)
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Live", url, timeoutSeconds: 20));
        return JsonDocument.Parse(await engine.TestConnectionAsync()).RootElement.Clone();
    }
}
