// Engine benchmarks on a real PostgreSQL. Run: dotnet run -c Release --project bench/JobPlatform.Benchmarks [-- --quick]
// Options: --single N --bulk N --drain N --history N --latency-samples N --concurrency N (see docs/benchmarks.md).
// Side by side with Hangfire and Quartz.NET, each at its best (a sweep), repeated: ... -- compare [--quick] [--repeat 5] [--no-sweep]
//   [--workers 10,25,50,100] [--engines JobPlatform,Hangfire,Quartz] (see CompareOptions)
// Idle workers' cost (transactions/s, CPU, memory) and latency: ... -- idle [--seconds 60] [--processes 1,4] [--setups id,…]
// Periodic and dashboard statements timed at 10M rows, with their plans: ... -- timers [--rows 10000000] [--runs 10]
// The engine under realistic work, priorities, a held-back backlog, and 10M jobs of churn: ... -- scale work|priorities|backlog|churn
// The api over HTTP (wrk single enqueues, alone and beside a draining worker; bulk requests): ... -- http [--runs 3]
// Where a drain's time goes (pg_stat_statements, CPU, WAL and transactions per job): ... -- profile [--jobs 300000]
// Where an idle worker's enqueue-to-start latency goes, stage by stage: ... -- profile --latency 1000 [--concurrency 25]
// Load generator against a running api: ... -- load --url http://localhost:8080 [--rate N | --concurrency N] --duration S
// Chaos suite (kills, pauses, a database restart; checks nothing is lost): ... -- chaos [--jobs 50000] (see ChaosOptions)
// Randomised explorer (every operation and fault, invariants after each seed): ... -- explore --seeds N [--seed S to replay]
using System.Runtime.InteropServices;
using JobPlatform.Benchmarks;
using JobPlatform.Benchmarks.Chaos;
using JobPlatform.Benchmarks.Compare;
using JobPlatform.Benchmarks.Load;

if (args.FirstOrDefault() == "load") return await LoadCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "compare") return await CompareCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == ProducerCommand.Name) return await ProducerCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == PeerWorkerCommand.Name) return await PeerWorkerCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "timers") return await JobPlatform.Benchmarks.Timers.TimersCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "scale") return await JobPlatform.Benchmarks.Scale.ScaleCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "http") return await JobPlatform.Benchmarks.Http.HttpCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "profile") return await JobPlatform.Benchmarks.Scale.ProfileCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "idle") return await JobPlatform.Benchmarks.Idle.IdleCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "chaos") return await ChaosCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "explore") return await JobPlatform.Benchmarks.Explore.ExploreCommand.RunAsync(args[1..]);
if (args.FirstOrDefault() == "explore-worker")
{
    await JobPlatform.Benchmarks.Explore.ExploreWorker.RunAsync(args[1..]);
    return 0;
}
if (args.FirstOrDefault() == "chaos-worker")
{
    await ChaosWorker.RunAsync(args[1..]);
    return 0;
}
if (args.FirstOrDefault() == "worker")
{
    await WorkerCommand.RunAsync(args[1..]);
    return 0;
}

var options = Options.Parse(args);
await using var server = await BenchServer.StartAsync();
var scenarios = new Scenarios(server, options);

Console.WriteLine($"Machine:    {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"PostgreSQL: {await server.SettingsAsync()}");
Console.WriteLine($"Server:     {server.Description}");
Console.WriteLine();

var results = new List<Measure>();
void Report(Measure measure)
{
    results.Add(measure);
    Console.WriteLine($"  {measure.Name}: {measure.Result}");
}

Report(await scenarios.SingleEnqueueAsync());
Report(await scenarios.BulkEnqueueAsync());
var drainDb = await server.CreateDatabaseAsync("bench_drain");
var (drain, rate) = await scenarios.DrainAsync(drainDb, "");
Report(drain);
foreach (var latency in await scenarios.IdleLatencyAsync()) Report(latency);
await Scenarios.AddHistoryAsync(drainDb, options.History);
Report((await scenarios.DrainAsync(drainDb, $", {options.History:N0} finished jobs in history", rate)).Measure);
foreach (var processes in new[] { 1, 2, 4 }) Report(await scenarios.ScaleOutAsync(processes));

Console.WriteLine();
var width = results.Max(r => r.Name.Length);
Console.WriteLine($"| {"measure".PadRight(width)} | {"result",-24} | {"target",-18} | met |");
Console.WriteLine($"| {new string('-', width)} | {new string('-', 24)} | {new string('-', 18)} | --- |");
foreach (var r in results)
    Console.WriteLine($"| {r.Name.PadRight(width)} | {r.Result,-24} | {r.Target,-18} | {(r.Met is null ? "" : r.Met.Value ? "yes" : "no"),-3} |");
return 0;
