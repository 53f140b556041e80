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

    public virtual bool InsertAfter(string itemSystemName, AdminMenuItem newMenuItem)
    {
        var index = ChildNodes.ToList().FindIndex(node => itemSystemName.Equals(node.SystemName));
        if (index >= 0)
        {
            ChildNodes.Insert(index + 1, newMenuItem);
            return true;
        }
        return ChildNodes.Any(node => node.InsertAfter(itemSystemName, newMenuItem));
    }

    public IList<string> PermissionNames { get; set; } = new List<string>();

    public string SystemName { get; set; }

    public string Title { get; set; }

    public string Url { get; set; }

    public IList<AdminMenuItem> ChildNodes { get; set; }

    public string IconClass { get; set; }
}
