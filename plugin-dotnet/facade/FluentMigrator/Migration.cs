using FluentMigrator.Builders.Create;
using FluentMigrator.Builders.Delete;
using FluentMigrator.Builders.Schema;

namespace FluentMigrator;

public abstract class MigrationBase
{
    protected MigrationBase()
    {
    }

    public ICreateExpressionRoot Create => throw new NotImplementedException();

    public ISchemaExpressionRoot Schema => throw new NotImplementedException();

    public abstract void Up();

    public abstract void Down();
}

public abstract class Migration : MigrationBase
{
    protected Migration()
    {
    }

    public IDeleteExpressionRoot Delete => throw new NotImplementedException();
}
