using Nop.Plugin.Misc.KashFlow.Services;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class SpoolTests
{
    [Fact]
    public void Entries_come_back_in_write_order_with_their_kind_and_order()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kashflow-spool-" + Guid.NewGuid().ToString("N"));
        var spool = new SnapshotSpool(dir);
        Assert.True(spool.IsEmpty);
        for (var i = 0; i < 50; i++)
            spool.Write(i % 2 == 0 ? SpoolKind.Order : SpoolKind.Event, 1000 + i, $"{{\"n\":{i}}}");
        spool.Write(SpoolKind.Rebuild, 7, "{}");
        File.WriteAllText(Path.Combine(dir, "junk.json"), "{}"); // not ours: ignored

        var entries = spool.List();
        Assert.Equal(51, entries.Count);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1000 + i, entries[i].OrderId);
            Assert.Equal($"{{\"n\":{i}}}", entries[i].ReadDocument());
        }
        Assert.Equal(SpoolKind.Rebuild, entries[^1].Kind);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

        foreach (var entry in entries)
            spool.Remove(entry);
        Assert.Single(Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }
}
