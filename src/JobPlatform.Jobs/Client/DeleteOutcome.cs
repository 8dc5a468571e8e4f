namespace JobPlatform.Jobs.Client;

public enum DeleteOutcome
{
    NotFound,
    Deleted,
    /// <summary>A running job is not deleted under its handler: cancel it first.</summary>
    Running,
    /// <summary>Another transaction holds the job (a caller's, enqueuing a continuation of it): try again once it has ended.</summary>
    Locked,
}
