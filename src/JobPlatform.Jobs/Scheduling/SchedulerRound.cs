namespace JobPlatform.Jobs.Scheduling;

/// <summary>
/// What a scheduler round learns in one statement: the lease's term (null while another server leads), the
/// database's clock, and when the first unpaused schedule is due (null when there is none).
/// </summary>
public readonly record struct SchedulerRound(long? Term, DateTimeOffset DatabaseNow, DateTimeOffset? NextDue);
