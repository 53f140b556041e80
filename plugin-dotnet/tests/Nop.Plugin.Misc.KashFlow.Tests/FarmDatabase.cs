// The web farm's store database in the tests: a real SQLite file whose tables are created by the plugin's
// own migration (Data/FarmSchemaMigration.cs) through FluentMigrator's real runner (8.0.1), and
// nopCommerce's IRepository<T> over it with linq2db 6.5.1, as nopCommerce's EntityRepository does it
// (one data context per call; inserts read the identity back). Every node of a test farm opens its own
// connections to the same file, as nopCommerce nodes share one database server.
using System.Linq.Expressions;
using FluentMigrator.Runner;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider.SQLite;
using LinqToDB.Mapping;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core;
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Data;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public sealed class FarmDatabase : IDisposable
{
    private readonly string _folder;
    private readonly bool _owned;

    /// <param name="existingFile">Another process's store database (a node in a child process): opened, never deleted.</param>
    public FarmDatabase(string? existingFile = null)
    {
        _owned = existingFile is null;
        _folder = existingFile is null ? Path.Combine(Path.GetTempPath(), "kashflow-farm-db-" + Guid.NewGuid().ToString("N")) : Path.GetDirectoryName(existingFile)!;
        Directory.CreateDirectory(_folder);
        FilePath = existingFile ?? Path.Combine(_folder, "store.sqlite");
        // a busy connection waits (up to 30 s) for another's write instead of failing: SQLite's lock, not ours
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, DefaultTimeout = 30, Pooling = false }.ToString();
        using (var connection = new SqliteConnection(ConnectionString))
        {
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        Options = new DataOptions().UseSQLite(ConnectionString, SQLiteProvider.Microsoft).UseMappingSchema(Mapping());
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public DataOptions Options { get; }

    /// <summary>Runs the plugin's migrations Up (or Down) with FluentMigrator's runner, as nopCommerce does at install.</summary>
    public void Migrate(bool down = false)
    {
        using var provider = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(rb => rb.AddSQLite().WithGlobalConnectionString(ConnectionString).ScanIn(typeof(FarmSchemaMigration).Assembly).For.Migrations())
            .BuildServiceProvider(false);
        using var scope = provider.CreateScope();
        var runner = scope.ServiceProvider.GetRequiredService<IMigrationRunner>();
        if (down)
            runner.MigrateDown(0);
        else
            runner.MigrateUp();
    }

    public IRepository<T> Repository<T>() where T : BaseEntity => new Linq2DbRepository<T>(Options);

    /// <summary>One SQL statement's single value (for the tests' own checks of the schema).</summary>
    public object? Scalar(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    // nopCommerce maps an entity to the table named after its type, each property to a column of its name,
    // and BaseEntity.Id as the identity primary key
    private static MappingSchema Mapping()
    {
        var schema = new MappingSchema();
        var builder = new FluentMappingBuilder(schema);
        builder.Entity<KashFlowFarmDocument>().HasTableName(nameof(KashFlowFarmDocument)).Property(e => e.Id).IsPrimaryKey().IsIdentity();
        builder.Entity<KashFlowFarmLease>().HasTableName(nameof(KashFlowFarmLease)).Property(e => e.Id).IsPrimaryKey().IsIdentity();
        builder.Build();
        return schema;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (!_owned)
            return;
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>nopCommerce's EntityRepository, the members the plugin uses: each call its own data context.</summary>
    private sealed class Linq2DbRepository<T>(DataOptions options) : IRepository<T> where T : BaseEntity
    {
        public IQueryable<T> Table => new DataContext(options).GetTable<T>();

        public async Task InsertAsync(T entity, bool publishEvent = true)
        {
            await using var db = new DataConnection(options);
            entity.Id = await db.InsertWithInt32IdentityAsync(entity);
        }

        public async Task UpdateAsync(T entity, bool publishEvent = true)
        {
            await using var db = new DataConnection(options);
            await db.UpdateAsync(entity);
        }

        public async Task<int> DeleteAsync(Expression<Func<T, bool>> predicate)
        {
            await using var db = new DataConnection(options);
            return await db.GetTable<T>().Where(predicate).DeleteAsync();
        }
    }
}
