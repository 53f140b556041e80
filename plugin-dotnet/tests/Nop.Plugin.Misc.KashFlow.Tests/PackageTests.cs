using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// Opens the zips package.sh made (run-tests.sh points KASHFLOW_PACKAGE_DIR at them; otherwise
/// &lt;repo&gt;/artifacts) and checks what nopCommerce's upload and plugin loader require.
/// </summary>
public class PackageTests
{
    public static TheoryData<string, string, int> Packages => new()
    {
        { "4.90", "Misc.KashFlow-4.90.zip", 9 },
        { "5.00", "Misc.KashFlow-5.00.zip", 10 },
    };

    private static string PackageDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable("KASHFLOW_PACKAGE_DIR");
        if (!string.IsNullOrEmpty(fromEnv))
            return fromEnv;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cargo.toml")))
            dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? ".", "artifacts");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_zip_is_one_plugin_folder_that_nopCommerce_accepts(string version, string zipName, int runtimeMajor)
    {
        var path = Path.Combine(PackageDirectory(), zipName);
        Assert.True(File.Exists(path), $"{path} is missing: run plugin-dotnet/package.sh (run-tests.sh does)");
        using var zip = ZipFile.OpenRead(path);
        var files = zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToList();

        // exactly one root folder, named after the plugin
        Assert.Equal(["Misc.KashFlow"], files.Select(f => f.Split('/')[0]).Distinct());

        using (var json = JsonDocument.Parse(zip.GetEntry("Misc.KashFlow/plugin.json")!.Open()))
        {
            var root = json.RootElement;
            Assert.Equal([version], root.GetProperty("SupportedVersions").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal("Misc.KashFlow", root.GetProperty("SystemName").GetString());
            Assert.Equal("Misc", root.GetProperty("Group").GetString());
            var fileName = root.GetProperty("FileName").GetString();
            Assert.Contains($"Misc.KashFlow/{fileName}", files);
            Assert.StartsWith(version + ".", root.GetProperty("Version").GetString());
        }

        Assert.Contains("Misc.KashFlow/Nop.Plugin.Misc.KashFlow.Native.dll", files);
        Assert.Contains("Misc.KashFlow/Views/Configure.cshtml", files);
        Assert.Contains("Misc.KashFlow/Views/_ViewImports.cshtml", files);
        // the flows designer's script and style, served from the plugin folder
        Assert.Contains("Misc.KashFlow/Views/Flows.cshtml", files);
        Assert.Contains("Misc.KashFlow/Content/flows-designer.js", files);
        Assert.Contains("Misc.KashFlow/Content/flows-designer.css", files);
        Assert.Contains("Misc.KashFlow/native/linux-x64/libkashflow_sync_native.so", files);
        Assert.True(IsElfX64(Read(zip, "Misc.KashFlow/native/linux-x64/libkashflow_sync_native.so")), "the linux-x64 library is not an x86-64 ELF file");
        if (Environment.GetEnvironmentVariable("KASHFLOW_PACKAGE_LINUX_ONLY") != "1")
        {
            // Windows servers: the file name and folder the native layer's resolver asks for on win-x64
            Assert.Contains("Misc.KashFlow/native/win-x64/kashflow_sync_native.dll", files);
            using var pe = new PEReader(new MemoryStream(Read(zip, "Misc.KashFlow/native/win-x64/kashflow_sync_native.dll")));
            Assert.Equal(Machine.Amd64, pe.PEHeaders.CoffHeader.Machine);
            Assert.True(pe.PEHeaders.IsDll);
            Assert.False(pe.HasMetadata, "the Windows library must be native, not a .NET assembly");
            Assert.Equal(["linux-x64", "win-x64"], files.Where(f => f.Contains("/native/")).Select(f => f.Split('/')[2]).Distinct().Order());
        }

        // nopCommerce loads every dll at the root as a .NET assembly: all of them must be managed,
        // and no other native file may sit there; nopCommerce's own assemblies are never shipped
        var rootFiles = files.Where(f => f.Count(c => c == '/') == 1).ToList();
        Assert.DoesNotContain(rootFiles, f => f.EndsWith(".so") || f.EndsWith(".dylib") || f.EndsWith(".deps.json"));
        Assert.DoesNotContain(rootFiles, f => Path.GetFileName(f).StartsWith("Nop.Core") || Path.GetFileName(f).StartsWith("Nop.Services")
            || Path.GetFileName(f).StartsWith("Nop.Data") || Path.GetFileName(f).StartsWith("Nop.Web.Framework"));
        foreach (var dll in rootFiles.Where(f => f.EndsWith(".dll")))
        {
            using var stream = new MemoryStream();
            zip.GetEntry(dll)!.Open().CopyTo(stream);
            stream.Position = 0;
            using var pe = new PEReader(stream);
            Assert.True(pe.HasMetadata, $"{dll} is not a .NET assembly");
            if (dll.EndsWith("Nop.Plugin.Misc.KashFlow.dll"))
            {
                var reader = pe.GetMetadataReader();
                var runtime = reader.AssemblyReferences.Select(reader.GetAssemblyReference)
                    .Single(r => reader.GetString(r.Name) == "System.Runtime");
                Assert.Equal(runtimeMajor, runtime.Version.Major);
            }
        }

        // native libraries only under native/<rid>/ (and no .dll at the root that is not managed: checked above)
        Assert.All(files.Where(f => f.EndsWith(".so") || f.Contains("/native/")), f => Assert.Matches(@"^Misc\.KashFlow/native/(linux|win|osx)-(x64|arm64)/[^/]+$", f));
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = new MemoryStream();
        zip.GetEntry(name)!.Open().CopyTo(stream);
        return stream.ToArray();
    }

    // ELF magic, 64-bit class, e_machine EM_X86_64 (62)
    private static bool IsElfX64(byte[] b) =>
        b.Length > 20 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F' && b[4] == 2 && BitConverter.ToUInt16(b, 18) == 62;
}
