using JobPlatform.Dashboard.Security;

namespace JobPlatform.Api.Security;

/// <summary>
/// <c>dotnet run --project src/JobPlatform.Api -- hash-password</c>: reads a password from standard input and prints
/// its PBKDF2 hash (ASP.NET Core Identity's format), for <c>JobPlatform:Dashboard:Users:N:PasswordHash</c>.
/// </summary>
public static class HashPasswordCommand
{
    public const string Name = "hash-password";

    /// <returns>The command's exit code when the arguments asked for it (it has then run); null to start the api.</returns>
    public static int? TryRun(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        if (args is not [Name, ..]) return null;
        if (!Console.IsInputRedirected && ReferenceEquals(input, Console.In)) error.Write("Password (then Enter): ");
        var password = input.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("No password read: give it on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | dotnet run --project src/JobPlatform.Api -- hash-password");
            return 2;
        }
        output.WriteLine(DashboardLogin.HashPassword(password));
        return 0;
    }
}
