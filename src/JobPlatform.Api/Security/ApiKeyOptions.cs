namespace JobPlatform.Api.Security;

/// <summary>
/// API keys, from configuration (<c>JobPlatform:Api</c>): admin keys may do everything, read-only keys may only
/// read. With no key configured the api is open, which only Development allows.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "JobPlatform:Api";

    /// <summary>The request header that carries the key.</summary>
    public string Header { get; set; } = "X-Api-Key";

    public string[] AdminKeys { get; set; } = [];
    public string[] ReadOnlyKeys { get; set; } = [];

    public bool Open => AdminKeys.Length == 0 && ReadOnlyKeys.Length == 0;
}
