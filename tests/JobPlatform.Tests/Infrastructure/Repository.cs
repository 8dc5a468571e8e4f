namespace JobPlatform.Tests.Infrastructure;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "JobPlatform.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No JobPlatform.sln above {AppContext.BaseDirectory}.");
    }
}
