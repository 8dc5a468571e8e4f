namespace JobPlatform.Benchmarks.Load;

/// <summary>What the load generator sends, how hard and for how long.</summary>
/// <param name="Rate">Requests per second; null means as fast as <paramref name="Concurrency"/> callers can.</param>
/// <param name="CompletionWait">After the load, how long to wait for the enqueued jobs to finish.</param>
public sealed record LoadOptions(
    Uri Url,
    double? Rate,
    int Concurrency,
    TimeSpan Duration,
    string Type,
    string PayloadJson,
    TimeSpan CompletionWait)
{
    public static LoadOptions Parse(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var options = new LoadOptions(
            Url: new Uri(Arg("--url") ?? "http://localhost:8080"),
            Rate: Arg("--rate") is { } rate ? double.Parse(rate, inv) : null,
            Concurrency: int.Parse(Arg("--concurrency") ?? "8", inv),
            Duration: TimeSpan.FromSeconds(double.Parse(Arg("--duration") ?? "30", inv)),
            Type: Arg("--type") ?? "simple-job",
            PayloadJson: Arg("--payload") ?? """{"name": "load-test"}""",
            CompletionWait: TimeSpan.FromSeconds(double.Parse(Arg("--wait") ?? "60", inv)));
        if (options.Rate is <= 0 || options.Concurrency < 1 || options.Duration <= TimeSpan.Zero)
            throw new ArgumentException("--rate and --duration must be positive, --concurrency at least 1.");
        return options;
    }
}
