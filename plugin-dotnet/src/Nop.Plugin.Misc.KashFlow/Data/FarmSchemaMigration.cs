// The web farm's two tables in the store database (Domain/FarmRecords.cs), named as nopCommerce names an
// entity's table and columns (type name, property names), so nopCommerce's IRepository<T> maps them.
// A plain fluent Create.Table rather than nopCommerce's Create.TableFor<T>(): the plugin compiles against a
// small FluentMigrator facade (plugin-dotnet/facade, at FluentMigrator 7.1.0.0 so stock 4.90.3 stores and
// 8.0.1 ones both bind), and this chain is the least of FluentMigrator it needs; FluentMigrator writes
// each provider's SQL (SQL Server, MySQL, PostgreSQL; SQLite in the tests).
// NoMatter, not Installation: nopCommerce runs it when the plugin is installed and also when a store that
// already has the plugin is updated to this version (an Installation migration would never reach those).
// It runs at that start-up (UpdatePluginsAsync is not guarded), so it must not fail on a table that is
// already there: each table is created only when missing, and Down drops only what exists.
using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Data;

[NopMigration("2026/12/06 22:00:00", "Misc.KashFlow web farm tables", MigrationProcessType.NoMatter)]
public class FarmSchemaMigration : Migration
{
    /// <summary>The lease row's unique index: the lease relies on it (a second taker's insert fails).</summary>
    public const string LeaseNameIndex = "IX_KashFlowFarmLease_Name";

    public override void Up()
    {
        if (!Schema.Table(nameof(KashFlowFarmDocument)).Exists())
        {
            Create.Table(nameof(KashFlowFarmDocument))
                .WithColumn(nameof(KashFlowFarmDocument.Id)).AsInt32().PrimaryKey().Identity()
                .WithColumn(nameof(KashFlowFarmDocument.OrderId)).AsInt32().NotNullable().Indexed("IX_KashFlowFarmDocument_OrderId")
                .WithColumn(nameof(KashFlowFarmDocument.Kind)).AsString(20).NotNullable()
                .WithColumn(nameof(KashFlowFarmDocument.Document)).AsString(int.MaxValue).NotNullable()
                .WithColumn(nameof(KashFlowFarmDocument.CreatedOnUtc)).AsDateTime2().NotNullable()
                .WithColumn(nameof(KashFlowFarmDocument.Node)).AsString(200).NotNullable()
                .WithColumn(nameof(KashFlowFarmDocument.JournaledBy)).AsString(200).Nullable()
                .WithColumn(nameof(KashFlowFarmDocument.JournaledOnUtc)).AsDateTime2().Nullable()
                .WithColumn(nameof(KashFlowFarmDocument.SyncedOnUtc)).AsDateTime2().Nullable().Indexed("IX_KashFlowFarmDocument_SyncedOnUtc");
        }
        if (!Schema.Table(nameof(KashFlowFarmLease)).Exists())
        {
            Create.Table(nameof(KashFlowFarmLease))
                .WithColumn(nameof(KashFlowFarmLease.Id)).AsInt32().PrimaryKey().Identity()
                .WithColumn(nameof(KashFlowFarmLease.Name)).AsString(100).NotNullable().Unique(LeaseNameIndex)
                .WithColumn(nameof(KashFlowFarmLease.Holder)).AsString(200).NotNullable()
                .WithColumn(nameof(KashFlowFarmLease.AcquiredOnUtc)).AsDateTime2().NotNullable()
                .WithColumn(nameof(KashFlowFarmLease.ExpiresOnUtc)).AsDateTime2().NotNullable();
        }
    }

    // the plugin's uninstall (nopCommerce runs Down): the hand-off is gone with the plugin
    public override void Down()
    {
        if (Schema.Table(nameof(KashFlowFarmLease)).Exists())
            Delete.Table(nameof(KashFlowFarmLease));
        if (Schema.Table(nameof(KashFlowFarmDocument)).Exists())
            Delete.Table(nameof(KashFlowFarmDocument));
    }
}
