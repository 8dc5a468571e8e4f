using System.Diagnostics;
using System.Globalization;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// <c>compare-producer</c>: enqueues latency probes from a process of its own, as a web application would, to an
/// engine whose workers run in the measuring process. It reads a probe number per line on standard input, stamps the
/// probe with the wall clock and enqueues it; "ready" on standard output says it can take the first.
/// </summary>
public static class ProducerCommand
{
    public const string Name = "compare-producer";
    private const string DatabaseVariable = PeerWorkerCommand.DatabaseVariable;

    public static async Task<int> RunAsync(string[] args)
    {
        var setup = EngineSetup.Parse(args[Array.IndexOf(args, "--setup") + 1]);
        await using var engine = setup.Create();
        await engine.InitializeAsync(Environment.GetEnvironmentVariable(DatabaseVariable)!);
        // Two seconds of enqueues first, as every enqueue scenario gets: .NET compiles the hot path fully, the pool fills.
        var warm = Stopwatch.StartNew();
        for (var i = 0; warm.Elapsed < TimeSpan.FromSeconds(2); i++) await engine.EnqueueAsync(WorkKind.Noop, 3_000_000 + i);
        Console.WriteLine("ready");
        var sends = new List<Task>();
        while (Console.ReadLine() is { } line)
        {
            var probe = int.Parse(line, CultureInfo.InvariantCulture);
            sends.Add(Task.Run(() => engine.EnqueueAsync(WorkKind.Probe, probe, DateTime.UtcNow.Ticks)));
        }
        await Task.WhenAll(sends);
        return 0;
    }

    public static Process Start(EngineSetup setup, string database)
    {
        var process = SelfProcess.Start([Name, "--setup", setup.Id], new Dictionary<string, string> { [DatabaseVariable] = database }, redirectInput: true);
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) Console.Error.WriteLine($"    producer: {line}");
        });
        return process;
    }

    public static async Task ReadyAsync(Process producer, CancellationToken cancellationToken)
    {
        while (await producer.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            if (line == "ready") return;
        throw new InvalidOperationException($"the producer exited with {producer.ExitCode} before it was ready");
    }

    public static Task SendAsync(Process producer, int probe) =>
        producer.StandardInput.WriteLineAsync(probe.ToString(CultureInfo.InvariantCulture)).ContinueWith(_ => producer.StandardInput.FlushAsync()).Unwrap();
}
