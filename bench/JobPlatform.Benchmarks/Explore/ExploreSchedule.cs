namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// A seed's random schedule: operations of every kind and faults of every kind, at random moments of a short run.
/// The same seed always gives the same schedule, so a failing seed can be replayed.
/// </summary>
public static class ExploreSchedule
{
    /// <summary>The operations a client performs.</summary>
    public static readonly string[] Operations =
        ["single", "bulk", "delayed", "unique", "continuation", "batch", "transactional", "limited", "cancel", "retry", "delete", "pause-queue"];

    /// <summary>The faults injected.</summary>
    public static readonly string[] Faults = ["kill", "stop", "term", "restart-db", "partition"];

    public static IReadOnlyList<ExploreStep> For(int seed, TimeSpan length, int workers)
    {
        var random = new Random(seed);
        var ms = (int)length.TotalMilliseconds;
        var steps = new List<ExploreStep>();
        for (var i = 0; i < 40; i++)
        {
            var operation = Operations[random.Next(Operations.Length)];
            steps.Add(new ExploreStep(random.Next(ms), operation, Target: random.Next(1, 1000), Length: random.Next(2, 30)));
        }
        // Two or three faults a seed; the database restart at most once.
        var faults = random.Next(2, 4);
        var restarted = false;
        for (var i = 0; i < faults; i++)
        {
            var fault = Faults[random.Next(Faults.Length)];
            if (fault == "restart-db" && restarted) fault = "kill";
            restarted |= fault == "restart-db";
            steps.Add(new ExploreStep(random.Next(ms / 5, ms), fault, Target: random.Next(1, workers + 1), Length: random.Next(1500, 5000)));
        }
        return [.. steps.OrderBy(s => s.AtMs)];
    }

    /// <summary>The worker whose clock is off this seed, and by how much (seconds, either way, up to ten minutes).</summary>
    public static (int Worker, int SkewSeconds) Skew(int seed, int workers)
    {
        var random = new Random(seed ^ 0x5eed);
        return (random.Next(1, workers + 1), random.Next(-600, 601));
    }
}
