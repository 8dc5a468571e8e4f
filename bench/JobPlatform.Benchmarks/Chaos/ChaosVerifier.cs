namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// The checks after a chaos run: nothing a client was told was accepted is missing, every job ended as its shape
/// says and none is still claimed, and every successful attempt applied its effect exactly once.
/// </summary>
public static class ChaosVerifier
{
    public static async Task<List<string>> VerifyAsync(ChaosDatabase db, IReadOnlyDictionary<Guid, string> accepted)
    {
        var failures = new List<string>();
        void Expect(long actual, string what)
        {
            if (actual != 0) failures.Add($"{actual:N0} {what}");
        }

        var ids = accepted.Keys.ToArray();
        var doomed = accepted.Where(a => a.Value == "doomed").Select(a => a.Key).ToArray();
        Expect(ids.Length - await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE id = ANY($1)", ids),
            "accepted jobs are missing from the database");
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE state NOT IN ('succeeded', 'failed', 'cancelled')"),
            "jobs did not reach a terminal state");
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE lease_owner IS NOT NULL OR lease_expires_at IS NOT NULL"),
            "jobs are still claimed");
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE id = ANY($1) AND state <> 'failed'", doomed),
            "jobs meant to fail for good did not end failed");
        Expect(await db.ScalarAsync("SELECT count(*) FROM jobplatform.jobs WHERE NOT id = ANY($1) AND state <> 'succeeded'", doomed),
            "jobs meant to succeed did not end succeeded");
        Expect(await db.ScalarAsync("""
            SELECT count(*) FROM jobplatform.jobs j
            WHERE j.state = 'succeeded'
              AND (SELECT count(*) FROM chaos.effects e WHERE e.job_id = j.id AND e.token = j.fencing_token) <> 1
            """), "succeeded jobs whose successful attempt did not apply its effect exactly once");
        Expect(await db.ScalarAsync("SELECT count(*) FROM (SELECT 1 FROM chaos.effects GROUP BY job_id, token HAVING count(*) > 1) d"),
            "claims (fencing tokens) applied their effect more than once");
        Expect(await db.ScalarAsync("SELECT count(*) FROM chaos.effects e JOIN jobplatform.jobs j ON j.id = e.job_id WHERE j.state = 'failed'"),
            "effects were applied by jobs that failed for good");
        return failures;
    }
}
