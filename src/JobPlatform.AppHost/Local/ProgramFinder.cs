namespace JobPlatform.AppHost.Local;

/// <summary>Finds an installed program on the PATH or in the folders its packages usually install to.</summary>
internal static class ProgramFinder
{
    /// <returns>The full path of the first of <paramref name="names"/> found, or null.</returns>
    public static string? Find(IEnumerable<string> names, IEnumerable<string>? usualFolders = null)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(usualFolders ?? []);
        var candidates = names.SelectMany(name => OperatingSystem.IsWindows() ? [name + ".exe", name] : new[] { name }).ToArray();
        foreach (var folder in folders)
        foreach (var candidate in candidates)
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return Path.GetFullPath(path);
        }
        return null;
    }

    /// <summary>Subfolders matching a pattern (such as every installed PostgreSQL version), newest version first.</summary>
    public static IEnumerable<string> VersionedFolders(string parent, string pattern, string suffix)
    {
        if (!Directory.Exists(parent)) return [];
        return Directory.GetDirectories(parent, pattern)
            .OrderByDescending(dir => Version.TryParse(VersionText(Path.GetFileName(dir)), out var v) ? v : new Version(0, 0))
            .Select(dir => Path.Combine(dir, suffix));

        static string VersionText(string name)
        {
            var digits = new string(name.SkipWhile(c => !char.IsDigit(c)).TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
            return digits.Contains('.') ? digits : digits + ".0";
        }
    }
}
