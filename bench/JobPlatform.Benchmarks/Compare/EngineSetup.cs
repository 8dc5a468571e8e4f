using System.Globalization;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// One engine in one configuration with a number of workers: what a sweep tries, and what a measurement runs. Its
/// <see cref="Id"/> crosses process boundaries (the parent tells each measuring process what to run).
/// </summary>
/// <param name="Knobs">The engine's settings as <c>name=value</c> pairs joined by <c>;</c> (empty for JobPlatform).</param>
public sealed record EngineSetup(string Engine, string Knobs, int Workers)
{
    public const string JobPlatform = ComparisonTable.Ours;
    public const string Hangfire = "Hangfire";
    public const string Quartz = "Quartz";

    public static readonly string[] Engines = [JobPlatform, Hangfire, Quartz];

    public string Id => $"{Engine}/{Knobs}/{Workers.ToString(CultureInfo.InvariantCulture)}";

    public static EngineSetup Parse(string id)
    {
        var parts = id.Split('/');
        return new EngineSetup(parts[0], parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>The setting in words, for the tables.</summary>
    public string Description => Engine switch
    {
        Hangfire => $"{HangfireSetting.Parse(Knobs)}, {Workers} workers",
        Quartz => $"{QuartzSetting.Parse(Knobs)}, {Workers} threads",
        _ => $"defaults, concurrency {Workers}",
    };

    public IContender Create() => Engine switch
    {
        Hangfire => new HangfireContender(HangfireSetting.Parse(Knobs), Workers),
        Quartz => new QuartzContender(QuartzSetting.Parse(Knobs), Workers),
        _ => new JobPlatformContender(Workers),
    };

    /// <summary>Whether a producer in another process can enqueue to this setup's workers (Quartz without clustering cannot).</summary>
    public bool TakesOutOfProcessProducers => Engine != Quartz || QuartzSetting.Parse(Knobs).Clustered;

    /// <summary>Every configuration the sweep tries for an engine, with each worker count.</summary>
    public static IEnumerable<EngineSetup> Sweep(string engine, IReadOnlyList<int> workers)
    {
        IEnumerable<string> knobs = engine switch
        {
            Hangfire => HangfireSetting.All.Select(s => s.Knobs),
            Quartz => QuartzSetting.All.Select(s => s.Knobs),
            _ => [""],
        };
        return knobs.SelectMany(k => workers.Select(w => new EngineSetup(engine, k, w)));
    }
}

/// <summary>Hangfire.PostgreSql's settings that matter for speed.</summary>
public sealed record HangfireSetting(bool LongPolling, int PollMilliseconds)
{
    /// <summary>
    /// Long polling (LISTEN/NOTIFY, with its known lost wake-ups) on and off; the poll interval at the storage's
    /// floor without <c>AllowUnsafeValues</c> (50 ms) and below it (15 ms, which needs it).
    /// </summary>
    public static readonly HangfireSetting[] All =
        [new(false, 15), new(false, 50), new(true, 15), new(true, 50)];

    public string Knobs => $"longpolling={(LongPolling ? "on" : "off")};poll={PollMilliseconds}";

    public static HangfireSetting Parse(string knobs)
    {
        var map = Map(knobs);
        return new HangfireSetting(map["longpolling"] == "on", int.Parse(map["poll"], CultureInfo.InvariantCulture));
    }

    public override string ToString() =>
        $"QueuePollInterval {PollMilliseconds} ms, long polling {(LongPolling ? "on" : "off")}, CompatibilityLevel.Version_180";

    internal static Dictionary<string, string> Map(string knobs) =>
        knobs.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
}

/// <summary>Quartz.NET's job-store settings that matter for speed.</summary>
public sealed record QuartzSetting(bool Clustered, bool LockOnInsert, bool UseProperties)
{
    public static readonly QuartzSetting[] All =
        [.. from c in new[] { true, false } from l in new[] { false, true } from p in new[] { true, false } select new QuartzSetting(c, l, p)];

    public string Knobs => $"clustered={(Clustered ? "on" : "off")};lockoninsert={(LockOnInsert ? "on" : "off")};useproperties={(UseProperties ? "on" : "off")}";

    public static QuartzSetting Parse(string knobs)
    {
        var map = HangfireSetting.Map(knobs);
        return new QuartzSetting(map["clustered"] == "on", map["lockoninsert"] == "on", map["useproperties"] == "on");
    }

    public override string ToString() =>
        $"{(Clustered ? "clustered" : "not clustered")}, LockOnInsert {(LockOnInsert ? "true" : "false")}, useProperties {(UseProperties ? "true" : "false")}, batch acquisition";
}
