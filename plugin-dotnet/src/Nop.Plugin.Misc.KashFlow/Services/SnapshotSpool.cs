// The fallback spool: when the engine is not running (disabled mid-flight, failed to start, its journal
// unreachable) a consumer writes the document here instead, one file per document under
// App_Data/KashFlow/spool, and the host hands them to the engine, oldest first, as soon as it runs.
// A file is written to a temporary name, flushed to disk and renamed, so a crash never leaves half a
// document. Kinds: "order" (a snapshot), "event" (an event document), "rebuild" (the snapshot could
// not even be built: only the order id is kept, and the snapshot is built again later).
using System.Globalization;
using System.Text;

namespace Nop.Plugin.Misc.KashFlow.Services;

public enum SpoolKind
{
    Order,
    Event,
    Rebuild
}

public sealed record SpoolEntry(string FilePath, SpoolKind Kind, int OrderId)
{
    public string ReadDocument() => File.ReadAllText(FilePath, Encoding.UTF8);
}

public class SnapshotSpool
{
    private readonly string _directory;
    private readonly object _sequenceLock = new();
    private long _lastStamp;

    public SnapshotSpool(string directory, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _directory = directory;
    }

    public string Directory => _directory;

    public bool IsEmpty => !System.IO.Directory.Exists(_directory) || !System.IO.Directory.EnumerateFiles(_directory, "*.json").Any();

    public SpoolEntry Write(SpoolKind kind, int orderId, string document)
    {
        System.IO.Directory.CreateDirectory(_directory);
        var name = $"{NextStamp():D19}-{kind.ToString().ToLowerInvariant()}-{orderId.ToString(CultureInfo.InvariantCulture)}.json";
        var path = Path.Combine(_directory, name);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            var bytes = Encoding.UTF8.GetBytes(document);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path);
        return new SpoolEntry(path, kind, orderId);
    }

    /// <summary>Entries oldest first; files whose name does not parse are left alone.</summary>
    public IReadOnlyList<SpoolEntry> List()
    {
        if (!System.IO.Directory.Exists(_directory))
            return [];
        var entries = new List<SpoolEntry>();
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "*.json").Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileNameWithoutExtension(path).Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var orderId))
                continue;
            SpoolKind? kind = parts[1] switch { "order" => SpoolKind.Order, "event" => SpoolKind.Event, "rebuild" => SpoolKind.Rebuild, _ => null };
            if (kind is { } k)
                entries.Add(new SpoolEntry(path, k, orderId));
        }
        return entries;
    }

    public void Remove(SpoolEntry entry) => File.Delete(entry.FilePath);

    // strictly increasing, so names sort in write order even within one clock tick
    private readonly TimeProvider _time;

    private long NextStamp()
    {
        lock (_sequenceLock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            _lastStamp = now > _lastStamp ? now : _lastStamp + 1;
            return _lastStamp;
        }
    }
}
