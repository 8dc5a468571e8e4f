using System.Diagnostics;

namespace JobPlatform.Benchmarks.Compare;

/// <summary>
/// <c>compare-worker --setup id</c>: one engine's workers in a process of their own, as a worker service runs them,
/// on the database in <see cref="DatabaseVariable"/> (its schema made already). Prints "ready" once they run, and
/// stops when its standard input closes.
/// </summary>
public static class PeerWorkerCommand
{
    public const string Name = "compare-worker";
    public const string DatabaseVariable = "JOBPLATFORM_COMPARE_DATABASE";

    public static async Task<int> RunAsync(string[] args)
    {
        var setup = EngineSetup.Parse(args[Array.IndexOf(args, "--setup") + 1]);
        await using var engine = setup.Create();
        await engine.InitializeAsync(Environment.GetEnvironmentVariable(DatabaseVariable)!);
        await engine.StartProcessingAsync();
        Console.WriteLine("ready");
        while (Console.ReadLine() is not null) { }
        return 0;
    }

    public static Process Start(EngineSetup setup, string database) =>
        SelfProcess.Start([Name, "--setup", setup.Id], new Dictionary<string, string> { [DatabaseVariable] = database }, redirectInput: true);

    public static async Task ReadyAsync(Process worker, CancellationToken cancellationToken)
    {
        while (await worker.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            if (line == "ready") return;
        throw new InvalidOperationException($"the worker exited with {worker.ExitCode} before it was ready");
    }
}
