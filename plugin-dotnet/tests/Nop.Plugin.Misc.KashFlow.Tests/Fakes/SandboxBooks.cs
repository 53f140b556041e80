// What the sandbox KashFlow holds, read over its REST API (real HTTP on 127.0.0.1) the way any client
// would: the memorable-word login, then the paged invoice and customer lists. The farm tests count what
// was posted with it, whichever transport the engines spoke.
using System.Net.Http.Json;
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public sealed record BookInvoice(long Number, string? CustomerReference, string? CustomerCode, string? Type);

public sealed record BookCustomer(string? Code, string? Email);

public sealed class SandboxBooks(string baseUrl, string userName = "sandbox", string password = "sandbox-password", string memorableWord = "kashflow")
{
    private readonly string _rest = baseUrl.TrimEnd('/').EndsWith("/v2", StringComparison.Ordinal) ? baseUrl.TrimEnd('/') : baseUrl.TrimEnd('/') + "/v2";

    public async Task<IReadOnlyList<BookInvoice>> InvoicesAsync() =>
        (await ListAsync("invoices")).Select(e => new BookInvoice(e.GetProperty("Number").GetInt64(), Text(e, "CustomerReference"), Text(e, "CustomerCode"), Text(e, "Type"))).ToList();

    public async Task<IReadOnlyList<BookCustomer>> CustomersAsync() =>
        (await ListAsync("customers")).Select(e => new BookCustomer(Text(e, "Code"), Text(e, "Email"))).ToList();

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private async Task<List<JsonElement>> ListAsync(string resource)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "KfToken " + await LoginAsync(http));
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync($"{_rest}/{resource}?page={page}&perpage=250"));
            var data = doc.RootElement.GetProperty("Data").EnumerateArray().Select(e => e.Clone()).ToList();
            all.AddRange(data);
            if (data.Count < 250)
                return all;
        }
    }

    private async Task<string> LoginAsync(HttpClient http)
    {
        var step1 = await (await http.PostAsJsonAsync($"{_rest}/sessiontoken", new { UserName = userName, Password = password })).Content.ReadFromJsonAsync<JsonElement>();
        var positions = step1.GetProperty("MemorableWordList").EnumerateArray().Select(p => p.GetProperty("Position").GetInt32());
        var step2 = await (await http.PutAsJsonAsync($"{_rest}/sessiontoken", new
        {
            TemporaryToken = step1.GetProperty("TemporaryToken").GetString(),
            MemorableWordList = positions.Select(p => new { Position = p, Value = memorableWord[p - 1].ToString() }).ToList(),
        })).Content.ReadFromJsonAsync<JsonElement>();
        return step2.GetProperty("SessionToken").GetString()!;
    }
}
