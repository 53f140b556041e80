using System.Globalization;
using FluentMigrator;

namespace Nop.Data.Migrations;

public enum MigrationProcessType
{
    NoMatter,
    Installation,
    Update
}

/// <summary>nopCommerce's migration attribute: the constructor the plugin's migration uses, and the version rule.</summary>
public partial class NopMigrationAttribute : MigrationAttribute
{
    // minimal body: tests run the plugin's migration with FluentMigrator's runner, which reads Version
    // (nopCommerce's rule: the ticks of the date given)
    public NopMigrationAttribute(string dateTime, string description, MigrationProcessType targetMigrationProcess = MigrationProcessType.NoMatter)
        : base(DateTime.ParseExact(dateTime, "yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture).Ticks, description)
    {
        TargetMigrationProcess = targetMigrationProcess;
    }

    public virtual MigrationProcessType TargetMigrationProcess { get; }
}
