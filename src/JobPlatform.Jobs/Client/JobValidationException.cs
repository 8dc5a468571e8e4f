namespace JobPlatform.Jobs.Client;

/// <summary>
/// Input the engine refuses — a payload, an option, a cron expression — with a message written for whoever sent it
/// and the field it is about (<c>payload.name</c>, <c>queue</c>, <c>cron</c>…). An api answers it with 400; any other
/// <see cref="ArgumentException"/> is a bug, and its message is not shown to callers.
/// </summary>
public sealed class JobValidationException(string field, string message, Exception? innerException = null)
    : ArgumentException(message, innerException)
{
    /// <summary>The field the message is about, as a request names it.</summary>
    public string Field { get; } = field;
}
