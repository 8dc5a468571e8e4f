namespace JobPlatform.AppHost.Local;

/// <summary>
/// Finds the PostgreSQL server programs (initdb, postgres, pg_ctl) installed on this machine: where
/// <c>pg_config --bindir</c> says, then the usual install folders (Debian and Ubuntu, Homebrew, the EDB installer,
/// a source build), then the PATH. Shared with the tests and benchmarks, which run throwaway clusters from them.
/// </summary>
internal static class PostgresBinaries
{
    /// <summary>The folder holding initdb, postgres and pg_ctl, or null when the PostgreSQL server is not installed.</summary>
    public static string? Find()
    {
        var candidates = new List<string>();
        if (PgConfigBinDir() is { } fromPgConfig) candidates.Add(fromPgConfig);
        candidates.AddRange(ProgramFinder.VersionedFolders("/usr/lib/postgresql", "*", "bin"));
        candidates.AddRange(ProgramFinder.VersionedFolders("/opt/homebrew/opt", "postgresql*", "bin"));
        candidates.AddRange(ProgramFinder.VersionedFolders("/usr/local/opt", "postgresql*", "bin"));
        candidates.AddRange(ProgramFinder.VersionedFolders(@"C:\Program Files\PostgreSQL", "*", "bin"));
        candidates.Add("/usr/local/pgsql/bin");
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(HasServerPrograms);
    }

    public static string Program(string binaries, string name) =>
        Path.Combine(binaries, OperatingSystem.IsWindows() ? name + ".exe" : name);

    private static bool HasServerPrograms(string folder) =>
        new[] { "initdb", "postgres", "pg_ctl" }.All(name => File.Exists(Program(folder, name)));

    private static string? PgConfigBinDir()
    {
        if (ProgramFinder.Find(["pg_config"]) is not { } pgConfig) return null;
        try
        {
            var (exitCode, output) = LocalCommand.RunAsync(pgConfig, ["--bindir"], runAs: null, CancellationToken.None)
                .GetAwaiter().GetResult();
            return exitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
