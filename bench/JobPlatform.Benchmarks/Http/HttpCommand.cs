using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using JobPlatform.AppHost.Local;

namespace JobPlatform.Benchmarks.Http;

/// <summary>
/// <c>http [--runs 3] [--seconds 20] [--connections 64] [--bulk 100000]</c>: the api over HTTP, as standalone Release
/// processes on a temporary PostgreSQL (or <c>JOBPLATFORM_BENCH_POSTGRES</c>). Single enqueues by Debian's
/// <c>wrk</c> (<c>bench/http/enqueue.lua</c>) from 64 connections, with the api alone and with one worker draining
/// what arrives, each after 15 s of warm-up; every non-2xx answer wrk counts is printed. Then bulk requests of
/// <c>--bulk</c> payloads, each timed.
/// </summary>
public static partial class HttpCommand
{
    private const string Key = "perf-key-0123456789abcdef0123456789";
    private const string ApiUrl = "http://127.0.0.1:8090";

    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var (runs, seconds, connections, bulk) = (Int("--runs", 3), Int("--seconds", 20), Int("--connections", 64), Int("--bulk", 100_000));
        var wrk = ProgramFinder.Find(["wrk"]) ?? throw new InvalidOperationException("wrk is missing: apt-get install wrk");
        var repository = Repository();
        Console.WriteLine("Building the api and the worker in Release …");
        foreach (var project in new[] { "src/JobPlatform.Api", "src/JobPlatform.Worker" })
            await RunAsync("dotnet", ["build", "-c", "Release", "--nologo", "-v", "q", project], repository);

        await using var server = await BenchServer.StartAsync();
        Console.WriteLine($"PostgreSQL: {await server.SettingsAsync()}");
        Console.WriteLine($"wrk: {wrk} -t2 -c{connections} -d{seconds}s --latency -s bench/http/enqueue.lua, after a 15 s warm-up; {runs} runs each");
        Console.WriteLine();
        Console.WriteLine("| setup | run | requests/s | p50 | p90 | p99 | non-2xx | socket errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var withWorker in new[] { false, true })
        {
            var db = await server.CreateDatabaseAsync(withWorker ? "http_worker" : "http_alone", maxPoolSize: 100);
            using var api = Start(repository, "src/JobPlatform.Api", db, ApiUrl);
            // The worker registers the job types the api checks requests against; without one draining, it serves a
            // queue nobody enqueues to.
            using var worker = withWorker
                ? Start(repository, "src/JobPlatform.Worker", db, "http://127.0.0.1:8091", ("JobPlatform__Processing__Concurrency", "50"))
                : Start(repository, "src/JobPlatform.Worker", db, "http://127.0.0.1:8091", ("JobPlatform__Processing__Queues__0", "not-served-here"));
            try
            {
                await WaitForAsync(ApiUrl + "/health", TimeSpan.FromMinutes(1));
                await WaitForAsync("http://127.0.0.1:8091/health", TimeSpan.FromMinutes(1));
                await WrkAsync(wrk, repository, connections, 15); // warm-up
                for (var run = 1; run <= runs; run++)
                {
                    var result = await WrkAsync(wrk, repository, connections, seconds);
                    Console.WriteLine($"| {(withWorker ? "api + worker (concurrency 50) draining" : "api, worker idle on another queue")} | {run} | {result}");
                }
                if (!withWorker) await BulkAsync(bulk, runs);
            }
            finally
            {
                Stop(api);
                Stop(worker);
                await server.DropDatabaseAsync(db);
            }
        }
        return 0;
    }

    private static Process Start(string repository, string project, string db, string url, params (string Name, string Value)[] settings)
    {
        var name = Path.GetFileName(project);
        var start = new ProcessStartInfo(Path.Combine(repository, project, "bin", "Release", "net10.0", name))
        {
            WorkingDirectory = Path.Combine(repository, project, "bin", "Release", "net10.0"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__jobsdb"] = db;
        start.Environment["JobPlatform__Api__AdminKeys__0"] = Key;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = url;
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"    {name}: {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Stop(Process process)
    {
        if (process.HasExited) return;
        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20))) process.Kill(entireProcessTree: true);
    }

    private static async Task WaitForAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{url} did not answer within {timeout.TotalSeconds:N0} s");
    }

    /// <summary>One wrk run; returns the row's cells from requests/s on.</summary>
    private static async Task<string> WrkAsync(string wrk, string repository, int connections, int seconds)
    {
        var output = await RunAsync(wrk, ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", "bench/http/enqueue.lua", ApiUrl + "/api/jobs"],
            repository, ("JOBPLATFORM_API_KEY", Key));
        string Find(Regex pattern, string fallback = "?") => pattern.Match(output) is { Success: true } m ? m.Groups[1].Value : fallback;
        return $"{Find(RequestsPerSecond())} | {Find(Percentile("50"))} | {Find(Percentile("90"))} | {Find(Percentile("99"))} | " +
               $"{Find(Non2xx(), "0")} | {Find(SocketErrors(), "none")} |";
    }

    /// <summary>Bulk requests of <paramref name="count"/> payloads each, timed from the first byte sent to the answer.</summary>
    private static async Task BulkAsync(int count, int runs)
    {
        var body = new StringBuilder("[");
        for (var i = 0; i < count; i++) body.Append(i == 0 ? "" : ",").Append("{\"name\":\"bulk-").Append(i).Append("\"}");
        var payload = Encoding.UTF8.GetBytes(body.Append(']').ToString());
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        Console.WriteLine();
        Console.WriteLine($"| bulk request ({count:N0} payloads, {payload.Length / 1048576.0:N1} MiB) | status | seconds | jobs/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var run = 1; run <= runs; run++)
        {
            using var content = new ByteArrayContent(payload);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var clock = Stopwatch.StartNew();
            using var response = await http.PostAsync($"{ApiUrl}/api/jobs/bulk?type=simple-job", content);
            var elapsed = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"| run {run} | {(int)response.StatusCode} | {elapsed:N2} | {count / elapsed:N0} |");
        }
        Console.WriteLine();
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string directory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await errors}{await output}");
        return await output;
    }

    /// <summary>The repository's root: the folder above this program's that holds JobPlatform.sln.</summary>
    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "JobPlatform.sln"))) return dir.FullName;
        throw new InvalidOperationException("run this from the repository (no JobPlatform.sln above the program)");
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")] private static partial Regex RequestsPerSecond();
    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")] private static partial Regex Non2xx();
    [GeneratedRegex(@"Socket errors:\s+(.+)")] private static partial Regex SocketErrors();
    private static Regex Percentile(string p) => new($@"^\s+{p}%\s+(\S+)", RegexOptions.Multiline);
}
