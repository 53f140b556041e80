// The documents of kfs_engine_create_products (core::mapping::suggest::NewProduct in, ProductCreation
// out) as typed records. The result names are the strings ProductCreation::result carries.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Domain;

/// <summary>core::mapping::suggest::NewProduct: Price is net (ex VAT), sent as text so it stays exact.</summary>
public sealed record NewKashFlowProduct(string Code, string Name, long NominalCode,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] decimal Price,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] decimal VatRate);

/// <summary>core::mapping::suggest::ProductCreation: Result is Created, AlreadyThere or Failed (with Error).</summary>
public sealed record ProductCreationResult(string? Code, string? Result, string? Error);

public sealed record ProductsToCreate(IReadOnlyList<NewKashFlowProduct> Products);

public static class ProductDocuments
{
    public const string Created = "Created";
    public const string AlreadyThere = "AlreadyThere";
    public const string Failed = "Failed";

    public static string ProductsToCreateJson(IReadOnlyList<NewKashFlowProduct> products) =>
        JsonSerializer.Serialize(new ProductsToCreate(products), ProductJsonContext.Default.ProductsToCreate);

    public static IReadOnlyList<ProductCreationResult> ParseCreations(string json) =>
        JsonSerializer.Deserialize(json, ProductJsonContext.Default.ProductCreationResultArray)
        ?? throw new FormatException("The engine answered no product results.");
}

[JsonSerializable(typeof(ProductsToCreate))]
[JsonSerializable(typeof(ProductCreationResult[]))]
internal sealed partial class ProductJsonContext : JsonSerializerContext
{
}
