using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobPlatform.Dashboard.Security;

/// <summary>
/// Checks a name and password against the configured users (read afresh each time, so a removed or demoted user
/// loses access at once), and locks a name out for <see cref="Lockout"/> after <see cref="MaxFailures"/> wrong
/// passwords in a row, whoever sends them (the login form's rate limit counts per address).
/// </summary>
public sealed partial class DashboardLogin(IOptionsMonitor<DashboardOptions> options, TimeProvider time, ILogger<DashboardLogin> logger)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private static readonly PasswordHasher<DashboardUser> Hasher = new();
    // Checked for a name nobody has, so that a wrong name costs the same time as a wrong password.
    private static readonly string UnknownUserHash = Hasher.HashPassword(new DashboardUser(), Guid.NewGuid().ToString());

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Last)> _failures = new(StringComparer.Ordinal);

    public bool HasUsers => options.CurrentValue.Users.Any(u => u.CanLogIn);

    /// <summary>The configured user of that name, as configured now; null once removed.</summary>
    public DashboardUser? Find(string? name) => name is null ? null : options.CurrentValue.Users.FirstOrDefault(u => u.CanLogIn && u.Name == name);

    public enum Outcome { SignedIn, Wrong, LockedOut }

    /// <returns>The outcome and, when signed in, the user's identity.</returns>
    public (Outcome Outcome, ClaimsPrincipal? User) SignIn(string? name, string? password, string? address)
    {
        name ??= "";
        var now = time.GetUtcNow();
        if (_failures.TryGetValue(name, out var record) && record.Failures >= MaxFailures && now - record.Last < Lockout)
            return (Outcome.LockedOut, null);

        var user = Find(name);
        if (user is not null && password is not null && Verify(user, password))
        {
            _failures.TryRemove(name, out _);
            return (Outcome.SignedIn, PrincipalOf(user));
        }
        if (user is null) Hasher.VerifyHashedPassword(new DashboardUser(), UnknownUserHash, password ?? "");

        if (_failures.Count >= MaxTracked) ForgetOldFailures(now);
        var failures = _failures.AddOrUpdate(name, (1, now), (_, r) => (now - r.Last < Lockout ? r.Failures + 1 : 1, now)).Failures;
        if (failures == MaxFailures) LogLockedOut(name, MaxFailures, Lockout.TotalMinutes, address ?? "unknown");
        return (Outcome.Wrong, null);
    }

    /// <summary>
    /// How many names' wrong passwords are remembered before the old ones (last wrong longer than a lockout ago,
    /// which would count from 1 again anyway) are forgotten: guesses at many names cannot grow this without bound.
    /// </summary>
    public const int MaxTrackedNames = 10_000;

    /// <summary><see cref="MaxTrackedNames"/>, smaller in a test (each wrong password costs a PBKDF2 hash).</summary>
    internal int MaxTracked { get; init; } = MaxTrackedNames;

    /// <summary>Names whose wrong passwords are remembered now.</summary>
    internal int TrackedNames => _failures.Count;

    private void ForgetOldFailures(DateTimeOffset now)
    {
        foreach (var (name, record) in _failures)
            if (now - record.Last >= Lockout) _failures.TryRemove(KeyValuePair.Create(name, record));
    }

    public static ClaimsPrincipal PrincipalOf(DashboardUser user) => PrincipalOf(user.Name, user.EffectiveRole, providerRoles: null);

    /// <summary>An identity signed in through the OpenID Connect provider, keeping the role values it came with.</summary>
    private static ClaimsPrincipal PrincipalOf(string name, string role, IEnumerable<string>? providerRoles) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role),
            .. providerRoles is null ? [] : providerRoles.Select(r => new Claim(ProviderRoleClaim, r)).Prepend(new Claim(SingleSignOnClaim, "true")),
        ], DashboardRoles.Scheme));

    /// <summary>Marks an identity that came from the OpenID Connect provider (its role is mapped, not configured per user).</summary>
    public const string SingleSignOnClaim = "jobplatform:sso";

    /// <summary>The provider's role values of such an identity, kept to map them again on every request.</summary>
    public const string ProviderRoleClaim = "jobplatform:sso-role";

    /// <summary>
    /// The identity the dashboard gives someone the OpenID Connect provider vouched for: their name and the role their
    /// provider roles map to now; null when those give no role.
    /// </summary>
    public ClaimsPrincipal? SignInExternal(string? name, IEnumerable<string> providerRoles)
    {
        var roles = providerRoles.ToList();
        return !string.IsNullOrEmpty(name) && options.CurrentValue.OpenIdConnect.RoleFor(roles) is { } role ? PrincipalOf(name, role, roles) : null;
    }

    /// <summary>
    /// The role a signed-in identity has under the configuration as it is now — a configured user's own role, or
    /// what a provider's role values map to — or null when it has none any more (removed, or no value maps).
    /// </summary>
    public string? CurrentRole(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (principal.HasClaim(SingleSignOnClaim, "true"))
            return options.CurrentValue.OpenIdConnect is { IsConfigured: true } sso
                ? sso.RoleFor(principal.FindAll(ProviderRoleClaim).Select(c => c.Value))
                : null;
        return Find(principal.Identity.Name)?.EffectiveRole;
    }

    /// <summary>The identity as the configuration says it is now (its role updated); null when it may no longer sign in.</summary>
    public ClaimsPrincipal? Current(ClaimsPrincipal principal) => CurrentRole(principal) switch
    {
        null => null,
        var role when principal.IsInRole(role) => principal,
        var role => PrincipalOf(principal.Identity!.Name!, role,
            principal.HasClaim(SingleSignOnClaim, "true") ? principal.FindAll(ProviderRoleClaim).Select(c => c.Value) : null),
    };

    /// <summary>Whether a signed-in identity still matches the configuration: it may sign in, with the same role.</summary>
    public bool IsCurrent(ClaimsPrincipal principal) => CurrentRole(principal) is { } role && principal.IsInRole(role);

    public static string HashPassword(string password) => Hasher.HashPassword(new DashboardUser(), password);

    private static bool Verify(DashboardUser user, string password)
    {
        if (user.PasswordHash.Length > 0)
        {
            try
            {
                return Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
            }
            catch (FormatException)
            {
                return false; // not a hash this hasher wrote
            }
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.Password), Encoding.UTF8.GetBytes(password));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard login for '{Name}' locked for {Minutes} min after {Failures} wrong passwords in a row (the last from {Address})")]
    private partial void LogLockedOut(string name, int failures, double minutes, string address);
}
