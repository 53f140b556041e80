namespace Nop.Web.Framework.Models;

// nopCommerce adds Newtonsoft [JsonProperty] names ("draw", "recordsFiltered", "recordsTotal") for DataTables;
// they matter only at run time inside nopCommerce, which uses its own assembly.
public abstract partial record BasePagedListModel<T> : BaseNopModel where T : BaseNopModel
{
    public IEnumerable<T> Data { get; set; }

    public string Draw { get; set; }

    public int RecordsFiltered { get; set; }

    public int RecordsTotal { get; set; }
}
