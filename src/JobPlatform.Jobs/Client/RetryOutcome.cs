namespace JobPlatform.Jobs.Client;

public enum RetryOutcome
{
    NotFound,
    /// <summary>The job is enqueued again, with one more attempt allowed.</summary>
    Retried,
    /// <summary>Only a failed or cancelled job can be retried.</summary>
    NotRetryable,
    /// <summary>Another unfinished job holds the job's unique key: the job stays as it was.</summary>
    UniqueKeyTaken,
}
