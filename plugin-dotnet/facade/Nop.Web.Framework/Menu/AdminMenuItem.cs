namespace Nop.Web.Framework.Menu;

// Minimal tree: enough for a consumer to find a node and insert beside it.
public partial class AdminMenuItem
{
    public AdminMenuItem()
    {
        ChildNodes = new List<AdminMenuItem>();
    }

    public AdminMenuItem GetItemBySystemName(string systemName)
    {
        if (string.IsNullOrEmpty(systemName))
            return null;
        if (systemName.Equals(SystemName))
            return this;
        foreach (var child in ChildNodes)
        {
            var found = child.GetItemBySystemName(systemName);
            if (found is not null)
                return found;
        }
        return null;
    }

    protected virtual bool Insert(string itemSystemName, AdminMenuItem newMenuItem, bool before)
    {
        var index = ChildNodes.ToList().FindIndex(node => itemSystemName.Equals(node.SystemName));
        if (index >= 0)
        {
            ChildNodes.Insert(before ? index : index + 1, newMenuItem);
            return true;
        }
        return ChildNodes.Any(node => node.Insert(itemSystemName, newMenuItem, before));
    }

    public virtual bool InsertBefore(string itemSystemName, AdminMenuItem newMenuItem) => Insert(itemSystemName, newMenuItem, true);

    public virtual bool InsertAfter(string itemSystemName, AdminMenuItem newMenuItem) => Insert(itemSystemName, newMenuItem, false);

    public IList<string> PermissionNames { get; set; } = new List<string>();

    public string SystemName { get; set; }

    public string Title { get; set; }

    public string Url { get; set; }

    public IList<AdminMenuItem> ChildNodes { get; set; }

    public string IconClass { get; set; }

    public bool Visible { get; set; } = true;
}
