namespace JobPlatform.Tests.Infrastructure;

/// <summary>A fresh folder under the system's temporary folder, deleted (with whatever was made in it) at the end.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"jobplatform-test-{Guid.NewGuid():N}");

    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a process that has not quite exited yet; the system's temporary folder is cleaned anyway
    }
}
