namespace JobPlatform.Jobs.Storage;

/// <summary><c>JobPlatform:Schema</c>: who brings the jobs database's schema up to date.</summary>
public sealed class SchemaOptions
{
    public const string Section = "JobPlatform:Schema";

    /// <summary>
    /// True (the default): a process that finds the schema behind migrates it as it starts, which needs a role that
    /// may change it (a current schema is left alone).
    /// False where a separate role migrates before the processes start (docker compose's <c>migrate</c> service), so
    /// the role they run as can read and write rows but not change tables: a process then only checks that the
    /// schema is current, and refuses to start on one that is behind.
    /// </summary>
    public bool ApplyMigrations { get; set; } = true;
}
