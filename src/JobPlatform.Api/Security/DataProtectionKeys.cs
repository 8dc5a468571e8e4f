using JobPlatform.Jobs.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Api.Security;

/// <summary>
/// The keys that protect the dashboard's login cookie and its forms' antiforgery tokens, kept in the jobs database
/// (<c>jobplatform.data_protection_keys</c>, made by the engine's migrations, so the runtime role needs no DDL): an
/// api restarted, redeployed in a fresh container, or run as several replicas accepts the cookies any of them issued.
/// Like ASP.NET Core's default file store the keys are stored unencrypted; whoever can read the jobs database can
/// already change every job, and must be trusted as much as the api itself.
/// </summary>
public sealed class DataProtectionKeysContext(DbContextOptions<DataProtectionKeysContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<DataProtectionKey>(key =>
        {
            key.ToTable("data_protection_keys", JobsDbContext.Schema);
            key.Property(k => k.Id).HasColumnName("id");
            key.Property(k => k.FriendlyName).HasColumnName("friendly_name");
            key.Property(k => k.Xml).HasColumnName("xml");
        });
}

public static class DataProtectionKeysExtensions
{
    /// <summary>The application name every replica shares: keys are isolated per application name.</summary>
    public const string ApplicationName = "JobPlatform";

    public static WebApplicationBuilder AddPersistentDataProtection(this WebApplicationBuilder builder)
    {
        builder.Services.AddDbContext<DataProtectionKeysContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<IConfiguration>().GetConnectionString("jobsdb")));
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToDbContext<DataProtectionKeysContext>();
        return builder;
    }
}
