using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// Nothing the plugin does at start-up may stop nopCommerce from starting. On IIS the application pool
/// identity often cannot read or write App_Data/KashFlow; these make the operating system really refuse
/// (an immutable folder, a file even root may not read), then start the host, place an order and open
/// the Configure page.
/// </summary>
public class StartupRobustnessTests
{
    [Fact]
    public async Task A_data_folder_the_store_may_not_write_never_stops_it_and_the_admin_is_told_what_to_do()
    {
        await using var store = new TestStore();
        var data = Path.Combine(store.ContentRoot, "App_Data", "KashFlow");
        Directory.CreateDirectory(data);
        using var denied = WriteDenied.On(data);
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");

        var host = store.Host; // created as at start-up: must not throw
        Assert.False(await host.EnsureStartedAsync(ignoreBackoff: true));
        Assert.NotNull(host.LastStartError);
        Assert.Contains("Modify permission on App_Data\\KashFlow", host.LastStartError);
        Assert.Contains(store.Logger.Entries, e => e.Level == "Error" && e.Message.Contains("Modify permission"));

        // checkout is unaffected: the consumer returns, nothing is thrown
        var order = SampleOrders.SeedZeroRatedOrder(store, 160);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(host.WaitForHandOff(TimeSpan.FromSeconds(10)));
        Assert.Null(host.Engine);

        // the hosted poller's pass does not throw either
        await store.Poller.RunOnceAsync();

        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var model = Assert.IsType<ConfigurationModel>(Assert.IsType<ViewResult>(await controller.Configure()).Model);
        Assert.False(model.EngineRunning);
        Assert.Contains("Modify permission", model.EngineError);
        Assert.Null(model.NativeLibraryProblem);
    }

    [Fact]
    public async Task A_hand_off_marker_the_store_may_not_read_is_reported_not_thrown_at_start_up()
    {
        // /proc/sys/vm/drop_caches is write-only, for root too: reading it is refused by the kernel,
        // as reading App_Data/KashFlow is refused to an IIS app-pool identity without Read permission
        const string unreadable = "/proc/sys/vm/drop_caches";
        if (!OperatingSystem.IsLinux() || !File.Exists(unreadable))
        {
            Assert.Fail($"this test needs Linux's {unreadable}");
        }
        var store = new TestStore();
        await using (store)
        {
            var data = Path.Combine(store.ContentRoot, "App_Data", "KashFlow");
            Directory.CreateDirectory(data);
            File.CreateSymbolicLink(Path.Combine(data, KashFlowDefaults.HandOffMarkerFileName), unreadable);
            Assert.Throws<UnauthorizedAccessException>(() => File.ReadAllText(Path.Combine(data, KashFlowDefaults.HandOffMarkerFileName)));
            await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");

            var host = store.Host; // threw UnauthorizedAccessException before: the store would not start
            Assert.NotNull(host.DataFolderError);
            Assert.Contains("UnauthorizedAccessException", host.DataFolderError);
            Assert.Contains("Modify permission on App_Data\\KashFlow", host.DataFolderError);

            // the rest of the folder works: the engine runs, and the admin sees the problem
            Assert.True(await host.EnsureStartedAsync(ignoreBackoff: true), host.LastStartError);
            Assert.Contains(store.Logger.Entries, e => e.Level == "Error" && e.Message.Contains("cannot use its data folder"));
            await using var scope = store.Scope();
            var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
            var model = Assert.IsType<ConfigurationModel>(Assert.IsType<ViewResult>(await controller.Configure()).Model);
            Assert.Equal(host.DataFolderError, model.DataFolderProblem);
            Assert.True(model.EngineRunning);
        }
    }

    [Fact]
    public void A_native_library_that_does_not_load_is_explained_with_what_to_do()
    {
        var notFound = new DllNotFoundException("Unable to load DLL 'kashflow_sync_native' or one of its dependencies");

        var win = Services.NativeLibraryStatus.Describe(notFound, windows: true, Architecture.X64, Architecture.X64);
        Assert.Contains("could not be loaded", win);
        Assert.Contains("native\\win-x64\\kashflow_sync_native.dll", win);
        Assert.Contains("Unblock", win);
        Assert.Contains("Checkout is not affected", win);

        var wow = Services.NativeLibraryStatus.Describe(notFound, windows: true, Architecture.X64, Architecture.X86);
        Assert.Contains("Enable 32-Bit Applications", wow);

        var arm = Services.NativeLibraryStatus.Describe(notFound, windows: false, Architecture.Arm64, Architecture.Arm64);
        Assert.Contains("linux-x64 and win-x64 only", arm);

        // here the library loads: no problem to show
        Assert.Null(Services.NativeLibraryStatus.Problem());
    }

    /// <summary>Makes a folder refuse new files: immutable as root (root ignores permissions), read-only otherwise.</summary>
    private sealed class WriteDenied : IDisposable
    {
        private readonly string _path;
        private readonly bool _immutable;

        private WriteDenied(string path, bool immutable)
        {
            _path = path;
            _immutable = immutable;
        }

        public static WriteDenied On(string path)
        {
            if (!OperatingSystem.IsLinux())
                throw new PlatformNotSupportedException("needs Linux (chattr, Unix permissions)");
            if (Environment.UserName == "root" || geteuid() == 0)
            {
                Run("chattr", "+i", path);
                return new WriteDenied(path, immutable: true);
            }
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return new WriteDenied(path, immutable: false);
        }

        public void Dispose()
        {
            if (!OperatingSystem.IsLinux())
                return;
            if (_immutable)
                Run("chattr", "-i", _path);
            else
                File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        private static void Run(string file, params string[] args)
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}");
        }

        [DllImport("libc", SetLastError = true)]
        private static extern uint geteuid();
    }
}
