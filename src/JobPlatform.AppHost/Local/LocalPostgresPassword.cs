using Aspire.Hosting.ApplicationModel;

namespace JobPlatform.AppHost.Local;

/// <summary>
/// The local server's superuser password, generated when its data folder is created and kept beside it, so that
/// the password and the data it opens always travel together (a parameter in user secrets could be lost while
/// the data stays).
/// </summary>
internal sealed class LocalPostgresPassword(string file) : IValueProvider, IManifestExpressionProvider
{
    public string File { get; } = file;

    // Local-executable mode is for running on this machine; it never goes into a deployment manifest.
    public string ValueExpression => "{postgres.password}";

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        (await System.IO.File.ReadAllTextAsync(File, cancellationToken)).Trim();
}
