using System.Text.RegularExpressions;

namespace JobPlatform.Jobs.Handlers;

/// <summary>The shape of job type and queue names: short, lower-case, stable (<c>email.send</c>, <c>simple-job</c>).</summary>
public static partial class JobTypeNames
{
    public const string Pattern = "^[a-z0-9][a-z0-9._-]{0,99}$";

    [GeneratedRegex(Pattern)]
    private static partial Regex NameRegex();

    public static bool IsValid(string? name) => name is not null && NameRegex().IsMatch(name);
}
