namespace JobPlatform.Jobs.Client;

public enum DeleteOutcome
{
    NotFound,
    Deleted,
    /// <summary>A running job is not deleted under its handler: cancel it first.</summary>
    Running,
}
