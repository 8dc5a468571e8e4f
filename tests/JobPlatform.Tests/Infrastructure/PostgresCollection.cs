namespace JobPlatform.Tests.Infrastructure;

/// <summary>Every test that needs PostgreSQL shares one server (each with its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
