// The fluent syntax the plugin's migration calls, with FluentMigrator's namespaces, interface inheritance
// and generic shapes (a call compiles to a reference on the declaring interface, so these must match).
// Only the members the plugin calls are declared.
namespace FluentMigrator.Infrastructure
{
    public interface IFluentSyntax
    {
    }
}

namespace FluentMigrator.Builders
{
    using FluentMigrator.Infrastructure;

    public interface IColumnTypeSyntax<TNext> : IFluentSyntax where TNext : IFluentSyntax
    {
        TNext AsInt32();

        TNext AsString(int size);

        TNext AsDateTime2();
    }

    public interface IColumnOptionSyntax<TNext, TNextFk> : IFluentSyntax
        where TNext : IFluentSyntax
        where TNextFk : IFluentSyntax
    {
        TNext PrimaryKey();

        TNext Identity();

        TNext NotNullable();

        TNext Nullable();

        TNext Unique(string indexName);

        TNext Indexed(string indexName);
    }

    public interface IInSchemaSyntax
    {
    }

    public interface IIfExistsOrInSchemaSyntax : IInSchemaSyntax
    {
    }
}

namespace FluentMigrator.Builders.Create
{
    using FluentMigrator.Builders.Create.Table;
    using FluentMigrator.Infrastructure;

    public interface ICreateExpressionRoot : IFluentSyntax
    {
        ICreateTableWithColumnOrSchemaOrDescriptionSyntax Table(string tableName);
    }
}

namespace FluentMigrator.Builders.Create.Table
{
    using FluentMigrator.Infrastructure;

    public interface ICreateTableWithColumnSyntax : IFluentSyntax
    {
        ICreateTableColumnAsTypeSyntax WithColumn(string name);
    }

    public interface ICreateTableWithColumnOrSchemaSyntax : ICreateTableWithColumnSyntax
    {
    }

    public interface ICreateTableWithColumnOrSchemaOrDescriptionSyntax : ICreateTableWithColumnOrSchemaSyntax
    {
    }

    public interface ICreateTableColumnAsTypeSyntax : IColumnTypeSyntax<ICreateTableColumnOptionOrWithColumnSyntax>
    {
    }

    public interface ICreateTableColumnOptionOrWithColumnSyntax :
        IColumnOptionSyntax<ICreateTableColumnOptionOrWithColumnSyntax, ICreateTableColumnOptionOrForeignKeyCascadeOrWithColumnSyntax>,
        ICreateTableWithColumnSyntax
    {
    }

    public interface ICreateTableColumnOptionOrForeignKeyCascadeOrWithColumnSyntax : ICreateTableColumnOptionOrWithColumnSyntax
    {
    }
}

namespace FluentMigrator.Builders.Delete
{
    using FluentMigrator.Infrastructure;

    public interface IDeleteExpressionRoot : IFluentSyntax
    {
        IIfExistsOrInSchemaSyntax Table(string tableName);
    }
}

namespace FluentMigrator.Builders.Schema
{
    using FluentMigrator.Builders.Schema.Table;
    using FluentMigrator.Infrastructure;

    public interface ISchemaExpressionRoot : IFluentSyntax
    {
        ISchemaTableSyntax Table(string tableName);
    }
}

namespace FluentMigrator.Builders.Schema.Table
{
    public interface ISchemaTableSyntax
    {
        bool Exists();
    }
}
