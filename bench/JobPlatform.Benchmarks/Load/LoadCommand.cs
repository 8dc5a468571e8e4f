using Spectre.Console;

namespace JobPlatform.Benchmarks.Load;

/// <summary>
/// <c>dotnet run -c Release --project bench/JobPlatform.Benchmarks -- load [--url http://localhost:8080]
/// [--rate N | --concurrency N] [--duration 30] [--type simple-job] [--payload JSON] [--wait 60] [--api-key KEY]</c>
/// The key defaults to the environment variable JOBPLATFORM_API_KEY.
/// </summary>
public static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = LoadOptions.Parse(args);
        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
        var key = ArgValue(args, "--api-key") ?? Environment.GetEnvironmentVariable("JOBPLATFORM_API_KEY");
        if (!string.IsNullOrEmpty(key)) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var generator = new LoadGenerator(http, options);
        var mode = options.Rate is { } rate ? $"{rate:N0} requests/s (at most {options.Concurrency} in flight)" : $"{options.Concurrency} concurrent callers";
        AnsiConsole.MarkupLine($"Load: [bold]{options.Type}[/] to {options.Url} — {mode} for {options.Duration.TotalSeconds:N0} s");

        var run = generator.RunAsync(CancellationToken.None);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("sending", maxValue: options.Duration.TotalSeconds);
                var started = DateTime.UtcNow;
                while (!run.IsCompleted)
                {
                    var (sent, accepted, errors) = generator.Progress;
                    var elapsed = (DateTime.UtcNow - started).TotalSeconds;
                    task.Value = Math.Min(elapsed, options.Duration.TotalSeconds);
                    task.Description = elapsed < options.Duration.TotalSeconds
                        ? $"sent {sent:N0}, accepted {accepted:N0}, errors {errors:N0}"
                        : "following the enqueued jobs to their end";
                    await Task.WhenAny(run, Task.Delay(250));
                }
                task.Value = task.MaxValue;
            });
        var result = await run;
        Print(result);
        return result.Errors.Count == 0 ? 0 : 1;
    }

    private static void Print(LoadResult result)
    {
        var table = new Table().AddColumns("measure", "value");
        table.AddRow("requests", $"{result.Accepted + result.Errors.Values.Sum():N0} in {result.Elapsed.TotalSeconds:N1} s");
        table.AddRow("accepted (202)", $"{result.Accepted:N0} ({result.Accepted / result.Elapsed.TotalSeconds:N0}/s)");
        foreach (var (status, count) in result.Errors) table.AddRow($"error {Markup.Escape(status)}", $"{count:N0}");
        table.AddRow("HTTP latency p50 / p95 / p99",
            $"{LoadResult.Percentile(result.LatenciesMs, 0.5):F1} / {LoadResult.Percentile(result.LatenciesMs, 0.95):F1} / {LoadResult.Percentile(result.LatenciesMs, 0.99):F1} ms");
        table.AddRow("jobs finished", $"{result.Finished:N0} of {result.Accepted:N0}");
        foreach (var (state, count) in result.FinalStates.OrderBy(s => s.Key)) table.AddRow($"  {state}", $"{count:N0}");
        table.AddRow("queue wait p50 / p95 / p99",
            $"{LoadResult.Percentile(result.QueueWaitsMs, 0.5):F1} / {LoadResult.Percentile(result.QueueWaitsMs, 0.95):F1} / {LoadResult.Percentile(result.QueueWaitsMs, 0.99):F1} ms");
        AnsiConsole.Write(table);
    }

    private static string? ArgValue(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
