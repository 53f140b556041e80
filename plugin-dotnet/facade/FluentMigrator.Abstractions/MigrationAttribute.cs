namespace FluentMigrator;

public class MigrationAttribute : Attribute
{
    public MigrationAttribute(long version, string description)
    {
        Version = version;
        Description = description;
    }

    public long Version { get; }

    public string Description { get; }
}
