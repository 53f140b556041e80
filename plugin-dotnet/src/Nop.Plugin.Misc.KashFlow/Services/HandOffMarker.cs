// The hand-off marker: a small file under App_Data/KashFlow that exists while documents may be held only
// in memory (CheckoutHandOff). It holds the "floor": orders created at or after it may have documents
// that never reached the journal. A clean stop deletes it once the hand-off is drained; a marker found
// at start-up therefore means the last process ended uncleanly, and OrderCatchUp rebuilds what the
// journal lacks for orders created since the floor. The floor only moves forward on a clean stop, so a
// second crash before the catch-up ran never loses the first crash's window.
using System.Globalization;
using System.Text;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed class HandOffMarker
{
    private readonly object _gate = new();
    private readonly string _path;
    private DateTime? _floorUtc;

    public HandOffMarker(string path)
    {
        _path = path;
        try
        {
            PreviousFloorUtc = Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // unreadable (the app-pool identity may not read App_Data/KashFlow): the host reports it;
            // no catch-up can be run from a floor that cannot be read
            ReadError = ex;
        }
        _floorUtc = PreviousFloorUtc;
    }

    /// <summary>Why the marker could not be read at start-up, or null.</summary>
    public Exception? ReadError { get; }

    /// <summary>The floor an unclean exit left behind, or null after a clean stop (or on first run).</summary>
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
    /// Writes the marker (durably) if it is not there yet, with <paramref name="floorUtc"/> (the host's
    /// start: with the catch-up's margin, it covers every order this process can hand off), and returns the floor.
    /// </summary>
    public DateTime Open(DateTime floorUtc)
    {
        lock (_gate)
        {
            if (_floorUtc is { } floor)
                return floor;
            Write(_path, floorUtc);
            _floorUtc = floorUtc;
            return floorUtc;
        }
    }

    /// <summary>Deletes the marker: everything handed off has reached the journal.</summary>
    public void Close()
    {
        lock (_gate)
        {
            File.Delete(_path);
            _floorUtc = null;
        }
    }

    private static DateTime? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        var text = File.ReadAllText(path, Encoding.UTF8).Trim();
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var floor)
            ? floor
            // unreadable (torn by a crash mid-write): the file's own time is a safe lower bound
            : File.GetCreationTimeUtc(path).AddMinutes(-1);
    }

    private static void Write(string path, DateTime floorUtc)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(floorUtc.ToString("O", CultureInfo.InvariantCulture)));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
