using System.Globalization;

namespace JobPlatform.Benchmarks.Explore;

/// <summary>
/// <c>explore [--seeds N] [--first S] [--seed S] [--workers N] [--seconds S] [--parallel P]</c>: how many seeds to run
/// from which, or one seed to replay; how many worker processes; how long each seed's schedule lasts; how many seeds
/// run at once (each with its own database and workers, on the one cluster, so each also meets the others' faults).
/// </summary>
public sealed record ExploreOptions
{
    public int Seeds { get; init; } = 10;
    public int First { get; init; } = 1;
    public int Workers { get; init; } = 3;
    public TimeSpan Length { get; init; } = TimeSpan.FromSeconds(8);
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(90);
    public int Parallel { get; init; } = 1;

    public static ExploreOptions Parse(string[] args)
    {
        var options = new ExploreOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--seeds" => options with { Seeds = value },
                "--first" => options with { First = value },
                "--seed" => options with { First = value, Seeds = 1 },
                "--workers" => options with { Workers = value },
                "--seconds" => options with { Length = TimeSpan.FromSeconds(value) },
                "--parallel" => options with { Parallel = Math.Max(1, value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see ExploreOptions."),
            };
        }
        return options;
    }
}
