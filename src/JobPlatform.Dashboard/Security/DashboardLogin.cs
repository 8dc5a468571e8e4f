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

        var failures = _failures.AddOrUpdate(name, (1, now), (_, r) => (now - r.Last < Lockout ? r.Failures + 1 : 1, now)).Failures;
        if (failures == MaxFailures) LogLockedOut(name, MaxFailures, Lockout.TotalMinutes, address ?? "unknown");
        return (Outcome.Wrong, null);
    }

    public static ClaimsPrincipal PrincipalOf(DashboardUser user) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.EffectiveRole)], DashboardRoles.Scheme));

    /// <summary>Whether a signed-in identity still matches the configuration: the user exists, with the same role.</summary>
    public bool IsCurrent(ClaimsPrincipal principal) =>
        Find(principal.Identity?.Name) is { } user && principal.IsInRole(user.EffectiveRole);

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
