namespace JobPlatform.Jobs.Storage;

/// <summary>Why an attempt ended badly, as kept in its history.</summary>
/// <param name="Outcome">failed, timed-out or cancelled.</param>
public sealed record AttemptError(string Outcome, string Type, string Message, string? StackTrace)
{
    public static AttemptError From(string outcome, Exception exception) =>
        new(outcome, exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.ToString());

    /// <summary>The one-line summary stored on the job itself.</summary>
    public string Summary => $"{Type}: {Message}";
}
