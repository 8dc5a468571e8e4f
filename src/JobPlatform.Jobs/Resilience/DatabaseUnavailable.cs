using Npgsql;

namespace JobPlatform.Jobs.Resilience;

/// <summary>Tells "the database cannot be reached right now" (down, restarting, out of connections) from other errors.</summary>
public static class DatabaseUnavailable
{
    /// <summary>Whether the exception, or one it wraps (EF wraps the driver's), says the database cannot be reached.</summary>
    public static bool Is(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is NpgsqlException { IsTransient: true } or TimeoutException) return true;
        return false;
    }
}
