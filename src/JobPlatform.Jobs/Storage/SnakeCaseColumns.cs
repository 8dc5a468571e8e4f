using System.Text;
using Microsoft.EntityFrameworkCore;

namespace JobPlatform.Jobs.Storage;

/// <summary>
/// Names every column in snake_case (<c>RunAt</c> → <c>run_at</c>), as hand-written SQL expects.
/// Done in the model rather than through a naming-convention plug-in, because a pooled context
/// (Aspire's <c>AddNpgsqlDbContext</c>) may not change its options in <c>OnConfiguring</c>.
/// </summary>
internal static class SnakeCaseColumns
{
    public static void Apply(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        foreach (var property in entity.GetProperties())
            property.SetColumnName(ToSnakeCase(property.Name));
    }

    public static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) result.Append('_');
            result.Append(char.ToLowerInvariant(name[i]));
        }
        return result.ToString();
    }
}
