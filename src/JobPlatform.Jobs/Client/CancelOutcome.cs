namespace JobPlatform.Jobs.Client;

/// <summary>What a cancel request did.</summary>
public enum CancelOutcome
{
    /// <summary>No job has that id.</summary>
    NotFound,

    /// <summary>The job had already finished; nothing changed.</summary>
    AlreadyFinished,

    /// <summary>The job was waiting and is now cancelled.</summary>
    Cancelled,

    /// <summary>The job is running; its handler is being cancelled wherever it runs.</summary>
    CancellationRequested,
}
