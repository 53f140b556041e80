// A small in-process xunit runner for the win-x64 test executables run under wine (dotnet test needs
// a Windows SDK there). Runs every public [Fact] and [Theory] (InlineData, MemberData) of the test
// assemblies compiled into this exe, one at a time, each on a fresh instance of its class (disposed
// after), like xunit. Arguments: --exclude <Class.Method prefix>=<reason> (repeatable; reported as
// skipped with the reason), or name filters. Prints "N passed, M failed, K skipped"; exit 1 on a failure.
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

internal static class Runner
{
    private static int Main(string[] args)
    {
        var exclude = new Dictionary<string, string>();
        var filters = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--exclude" && i + 1 < args.Length)
            {
                var parts = args[++i].Split('=', 2);
                exclude[parts[0]] = parts.Length > 1 ? parts[1] : "excluded";
            }
            else filters.Add(args[i]);
        }
        int passed = 0, failed = 0, skipped = 0;
        Console.WriteLine($"OS: {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {RuntimeInformation.RuntimeIdentifier}, {RuntimeInformation.ProcessArchitecture}");
        var types = typeof(Runner).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && t.IsPublic).OrderBy(t => t.FullName);
        foreach (var type in types)
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.Name))
        {
            var fact = method.GetCustomAttributes().OfType<FactAttribute>().FirstOrDefault();
            if (fact is null) continue;
            string name = $"{type.Name}.{method.Name}";
            if (filters.Count > 0 && !filters.Any(f => name.Contains(f))) continue;
            var excluded = exclude.FirstOrDefault(e => name.StartsWith(e.Key, StringComparison.Ordinal));
            string? skip = fact.Skip ?? excluded.Value;
            if (skip is not null) { skipped++; Console.WriteLine($"SKIP {name}: {skip}"); continue; }
            foreach (var (label, arguments) in Cases(type, method, fact))
            {
                var sw = Stopwatch.StartNew();
                try
                {
                    Run(type, method, arguments);
                    passed++;
                    Console.WriteLine($"PASS {name}{label} ({sw.ElapsedMilliseconds} ms)");
                }
                catch (Exception e)
                {
                    while (e is TargetInvocationException or AggregateException && e.InnerException is not null) e = e.InnerException!;
                    failed++;
                    Console.WriteLine($"FAIL {name}{label} ({sw.ElapsedMilliseconds} ms): {e.GetType().Name}: {e.Message}");
                    Console.WriteLine(e.StackTrace);
                }
            }
        }
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    private static IEnumerable<(string Label, object?[]? Arguments)> Cases(Type type, MethodInfo method, FactAttribute fact)
    {
        if (fact is not TheoryAttribute)
        {
            yield return ("", null);
            yield break;
        }
        foreach (var inline in method.GetCustomAttributes<InlineDataAttribute>())
            foreach (var row in inline.GetData(method))
                yield return (Label(row), row);
        foreach (var member in method.GetCustomAttributes<MemberDataAttribute>())
        {
            var source = member.MemberType ?? type;
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;
            object? data = source.GetProperty(member.MemberName, flags)?.GetValue(null)
                ?? source.GetField(member.MemberName, flags)?.GetValue(null)
                ?? source.GetMethod(member.MemberName, flags)?.Invoke(null, member.Parameters);
            if (data is not System.Collections.IEnumerable rows) throw new InvalidOperationException($"MemberData {member.MemberName} not found on {source}");
            foreach (var row in rows)
            {
                var values = row switch
                {
                    object?[] array => array,
                    _ => throw new InvalidOperationException($"MemberData {member.MemberName}: unsupported row {row?.GetType()}"),
                };
                yield return (Label(values), values);
            }
        }
    }

    private static string Label(object?[] row) => "(" + string.Join(", ", row.Select(v => v?.ToString() ?? "null")) + ")";

    private static void Run(Type type, MethodInfo method, object?[]? arguments)
    {
        // xunit's one constructor argument the suites use: test output, written to the console here
        object? instance = type.GetConstructor([typeof(Xunit.Abstractions.ITestOutputHelper)]) is { } withOutput
            ? withOutput.Invoke([new ConsoleTestOutput()])
            : Activator.CreateInstance(type);
        try
        {
            object? result = method.Invoke(instance, arguments);
            Task? task = result switch { Task t => t, ValueTask v => v.AsTask(), _ => null };
            if (task is not null)
            {
                if (!task.Wait(TimeSpan.FromSeconds(180))) throw new TimeoutException("the test did not finish in 180 s");
                task.GetAwaiter().GetResult();
            }
        }
        finally
        {
            if (instance is IAsyncDisposable asyncDisposable) asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
            else if (instance is IDisposable disposable) disposable.Dispose();
        }
    }
}

/// <summary>xunit's ITestOutputHelper for the runner: lines go to the console, indented under the test.</summary>
internal sealed class ConsoleTestOutput : Xunit.Abstractions.ITestOutputHelper
{
    public void WriteLine(string message) => Console.WriteLine("    " + message);

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
}
