using JobPlatform.Testing;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// <c>dotnet run -c Release --project bench/JobPlatform.Benchmarks -- chaos [options]</c> (see <see cref="ChaosOptions"/>):
/// runs the chaos suite on a throwaway PostgreSQL from the local installation, prints its figures and exits
/// with 1 when anything was lost, doubled or left unfinished.
/// </summary>
public static class ChaosCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = ChaosOptions.Parse(args);
        var binaries = LocalPostgresCluster.FindBinaries();
        if (binaries is null)
        {
            Console.Error.WriteLine("chaos: the PostgreSQL server binaries are needed (Debian: apt-get install postgresql), since the run restarts its own server.");
            return 2;
        }
        var report = await new ChaosRun(options, Console.Out).RunAsync(binaries, CancellationToken.None);
        Console.WriteLine();
        report.Print(Console.Out);
        return report.Failures.Count == 0 ? 0 : 1;
    }
}
