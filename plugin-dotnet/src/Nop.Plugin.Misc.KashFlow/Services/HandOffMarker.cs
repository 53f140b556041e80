// The hand-off marker: a small file under App_Data/KashFlow that exists while documents may be held only
// in memory (CheckoutHandOff). It holds the "floor": orders created at or after it may have documents
// that never reached the journal. A clean stop deletes it once the hand-off is drained; a marker left by
// a process that is no longer running therefore means that process ended uncleanly, and OrderCatchUp
// rebuilds what the journal lacks for orders created since the floor.
//
// One marker per process (per host, in fact): handoff-open.<pid>.<process start, ms>.<host id>.txt. IIS's
// overlapped recycling runs the old and the new worker process on one App_Data: a single shared marker
// made the new process take the old one's open marker for a crash (a needless catch-up), and the old
// one's clean stop then deleted the marker the new one relied on. Now a process only adopts markers of
// processes that are gone (no such process id, or one started at another time: a reused id), and a
// sibling that dies later is adopted by the next scan (the schedule task's catch-up check). Adopting
// folds the orphan's floor into this process's own marker before deleting the orphan, so the floor only
// moves forward on a clean stop, and a second crash before the catch-up ran never loses the first
// crash's window. The old single name (handoff-open.txt, written by plugin versions before 4.90.5) is
// always adopted: at worst that is one catch-up that posts nothing twice.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed class HandOffMarker
{
    private const string Prefix = "handoff-open.";

    // the hosts alive in this process (tests run several; a real store one per process, two while it
    // is being recycled, each in its own process)
    private static readonly ConcurrentDictionary<string, byte> LiveHosts = new(StringComparer.Ordinal);
    private static readonly int ProcessId = Environment.ProcessId;
    private static readonly long ProcessStartMs = CurrentProcessStartMs();

    private readonly object _gate = new();
    private readonly string _directory;
    private readonly string _legacyPath;
    private readonly string _hostId = Guid.NewGuid().ToString("N")[..12];
    private DateTime? _floorUtc;

    /// <param name="legacyPath">App_Data/KashFlow/handoff-open.txt: the single marker of older versions; its folder holds the markers.</param>
    public HandOffMarker(string legacyPath)
    {
        _legacyPath = legacyPath;
        _directory = System.IO.Path.GetDirectoryName(legacyPath)!;
        Path = System.IO.Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ProcessId}.{ProcessStartMs}.{_hostId}.txt"));
        LiveHosts[_hostId] = 0;
        try
        {
            PreviousFloorUtc = AdoptOrphans();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // unreadable (the app-pool identity may not read App_Data/KashFlow): the host reports it;
            // no catch-up can be run from a floor that cannot be read
            ReadError = ex;
        }
    }

    /// <summary>This host's own marker file.</summary>
    public string Path { get; }

    /// <summary>Why the markers could not be read at start-up, or null.</summary>
    public Exception? ReadError { get; }

    /// <summary>The earliest floor an unclean exit left behind (adopted at start-up), or null.</summary>
    public DateTime? PreviousFloorUtc { get; }

    /// <summary>The floor now on disk, or null while the marker is closed.</summary>
    public DateTime? FloorUtc
    {
        get
        {
            lock (_gate)
                return _floorUtc;
        }
    }

    /// <summary>
    /// Adopts the markers of processes that are gone: their earliest floor is folded into this host's own
    /// marker (written durably first), then their files are deleted. Returns that floor, or null when
    /// there was none. Safe to call again (a sibling may die after this host started).
    /// </summary>
    public DateTime? AdoptOrphans()
    {
        lock (_gate)
        {
            if (!Directory.Exists(_directory))
                return null;
            var orphans = Directory.EnumerateFiles(_directory, Prefix + "*")
                .Where(p => !p.EndsWith(".tmp", StringComparison.Ordinal) && !string.Equals(p, Path, StringComparison.Ordinal) && IsOrphan(p))
                .ToList();
            if (orphans.Count == 0)
                return null;
            var floor = orphans.Select(Read).Min();
            if (_floorUtc is not { } own || floor < own)
            {
                Write(Path, floor);
                _floorUtc = floor;
            }
            foreach (var orphan in orphans)
            {
                try
                {
                    File.Delete(orphan);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // held open by another program (a virus scanner, a backup agent: Windows will not
                    // delete it then). Its floor is already in this host's own marker; it stays and is
                    // adopted again by a later scan, which changes nothing.
                }
            }
            return floor;
        }
    }

    /// <summary>
    /// Writes the marker (durably) if it is not there yet, with <paramref name="floorUtc"/> (the host's
    /// start: with the catch-up's margin, it covers every order this process can hand off), and returns the floor.
    /// </summary>
    public DateTime Open(DateTime floorUtc)
    {
        lock (_gate)
        {
            if (_floorUtc is { } floor)
                return floor;
            Write(Path, floorUtc);
            _floorUtc = floorUtc;
            return floorUtc;
        }
    }

    /// <summary>Deletes the marker: everything handed off has reached the journal.</summary>
    public void Close()
    {
        lock (_gate)
        {
            File.Delete(Path);
            _floorUtc = null;
        }
    }

    /// <summary>This host has stopped (cleanly or not): its marker, if left, is an orphan from now on.</summary>
    public void Retire() => LiveHosts.TryRemove(_hostId, out _);

    private bool IsOrphan(string path)
    {
        if (string.Equals(path, _legacyPath, StringComparison.Ordinal))
            return true;
        // handoff-open.<pid>.<start ms>.<host id>.txt
        var parts = System.IO.Path.GetFileName(path).Split('.');
        if (parts.Length != 5
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var startMs))
            return false; // not ours to judge
        if (pid == ProcessId && startMs == ProcessStartMs)
            return !LiveHosts.ContainsKey(parts[3]);
        return !ProcessAlive(pid, startMs);
    }

    private static bool ProcessAlive(int pid, long startMs)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
                return false;
            // a reused process id belongs to a process started at another time
            return Math.Abs(StartMs(process) - startMs) < 2000;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // cannot tell (another identity's process): leave its marker alone
        }
    }

    private static long StartMs(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();

    private static long CurrentProcessStartMs()
    {
        try
        {
            using var self = Process.GetCurrentProcess();
            return StartMs(self);
        }
        catch (Exception)
        {
            return 0;
        }
    }

    private static DateTime Read(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8).Trim();
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var floor)
            ? floor
            // unreadable (torn by a crash mid-write): the file's own time is a safe lower bound
            : File.GetCreationTimeUtc(path).AddMinutes(-1);
    }

    private static void Write(string path, DateTime floorUtc)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(floorUtc.ToString("O", CultureInfo.InvariantCulture)));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
