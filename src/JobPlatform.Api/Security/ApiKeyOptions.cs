namespace JobPlatform.Api.Security;

/// <summary>
/// API keys, from configuration (<c>JobPlatform:Api</c>): admin keys may do everything, read-only keys may only
/// read. With no key configured the api is open, which only Development allows, on loopback only.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "JobPlatform:Api";

    /// <summary>Outside Development a key must be at least this long: a key is a password nobody has to type.</summary>
    public const int MinimumLength = 32;

    /// <summary>Keys that were once documented as defaults (and may still sit in someone's .env): never accepted outside Development.</summary>
    public static readonly string[] DocumentedDefaults = ["local-dev-key-change-me", "change-me", "changeme"];

    /// <summary>The request header that carries the key.</summary>
    public string Header { get; set; } = "X-Api-Key";

    public string[] AdminKeys { get; set; } = [];
    public string[] ReadOnlyKeys { get; set; } = [];

    /// <summary>Files that each hold an admin key (a mounted secret, such as compose's generated one), read at start.</summary>
    public string[] AdminKeyFiles { get; set; } = [];

    public bool Open => AdminKeys.Length == 0 && ReadOnlyKeys.Length == 0;
}
