using System.Globalization;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// <c>chaos [--jobs 50000] [--workers 3] [--enqueue-seconds 40] [--kill-every 5] [--lease 3] [--timeout 900] [--seed 1]</c>
/// </summary>
public sealed record ChaosOptions
{
    public int Jobs { get; init; } = 50_000;
    public int Workers { get; init; } = 3;

    /// <summary>Enqueueing is spread over this long, so that the kills, the pause and the restart meet it.</summary>
    public TimeSpan EnqueueFor { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>A random worker is killed with SIGKILL (and a new one started) this often, until the run ends.</summary>
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The workers' lease: a paused worker stays stopped for twice this, so its leases expire.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long PostgreSQL stays down when it is restarted.</summary>
    public TimeSpan DatabaseDownFor { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The run fails if the jobs have not all ended by then.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public int Seed { get; init; } = 1;

    public static ChaosOptions Parse(string[] args)
    {
        var options = new ChaosOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--jobs" => options with { Jobs = (int)value },
                "--workers" => options with { Workers = (int)value },
                "--enqueue-seconds" => options with { EnqueueFor = TimeSpan.FromSeconds(value) },
                "--kill-every" => options with { KillEvery = TimeSpan.FromSeconds(value) },
                "--lease" => options with { Lease = TimeSpan.FromSeconds(value) },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(value) },
                "--seed" => options with { Seed = (int)value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see the usage in ChaosOptions."),
            };
        }
        if (args.Length % 2 != 0) throw new ArgumentException($"Option {args[^1]} needs a value.");
        return options;
    }
}
