using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using JobPlatform.Jobs.Client;

namespace JobPlatform.Benchmarks.Chaos;

/// <summary>
/// Enqueues the run's jobs in mixed shapes (bulk, single, slow, retried, failing for good, delayed, unique,
/// continuations), spread over <see cref="ChaosOptions.EnqueueFor"/> by eight callers. A call that fails (the
/// database restarting) is tried again, as a client would; only calls that returned count as accepted.
/// </summary>
public sealed class ChaosEnqueuer(Func<Func<IJobClient, Task>, Task> withClient, ChaosOptions options)
{
    private const int Callers = 8;
    private const int BulkSize = 200;

    /// <summary>Every job a call returned, with its shape; a job is expected to fail only if it is "doomed".</summary>
    public ConcurrentDictionary<Guid, string> Accepted { get; } = new();

    public int FailedCalls => _failedCalls;
    private int _failedCalls;

    /// <summary>Unique-key pairs where the two calls were not given the same job.</summary>
    public int SplitUniquePairs => _splitUniquePairs;
    private int _splitUniquePairs;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var units = Plan();
        var total = units.Sum(u => u.Jobs);
        var next = -1;
        var planned = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < units.Count)
            {
                // Pace by jobs: unit i starts no earlier than its share of the enqueue period.
                var due = options.EnqueueFor * (Interlocked.Add(ref planned, units[i].Jobs) - units[i].Jobs) / total;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, cancellationToken);
                await EnqueueAsync(units[i], cancellationToken);
            }
        }));
    }

    private sealed record Unit(string Shape, int Number, int Jobs);

    private List<Unit> Plan()
    {
        var random = new Random(options.Seed);
        var units = new List<Unit>();
        var jobs = 0;
        while (jobs < options.Jobs)
        {
            var roll = random.Next(100);
            var unit = roll switch
            {
                < 8 => new Unit("bulk", jobs, Math.Min(BulkSize, options.Jobs - jobs)),
                < 50 => new Unit("plain", jobs, 1),
                < 57 => new Unit("slow", jobs, 1),
                < 70 => new Unit("flaky", jobs, 1),
                < 75 => new Unit("doomed", jobs, 1),
                < 85 => new Unit("delayed", jobs, 1),
                < 92 => new Unit("unique", jobs, 1),
                _ when jobs + 2 <= options.Jobs => new Unit("continuation", jobs, 2),
                _ => new Unit("plain", jobs, 1),
            };
            units.Add(unit);
            jobs += unit.Jobs;
        }
        return units;
    }

    private async Task EnqueueAsync(Unit unit, CancellationToken cancellationToken)
    {
        var work = 1 + (unit.Number * 7 % 10);
        switch (unit.Shape)
        {
            case "bulk":
                var payloads = Enumerable.Range(unit.Number, unit.Jobs).Select(n => Json(new ChaosPayload(n, "bulk", 1 + n % 5))).ToList();
                foreach (var id in await WithRetriesAsync(c => c.EnqueueManyAsync(ChaosJob.Name, payloads, cancellationToken: cancellationToken)))
                    Accepted[id] = "bulk";
                break;
            case "unique":
                // Two callers at once with one key: one job, and both are told its id.
                var key = new EnqueueOptions { UniqueKey = $"chaos-{unit.Number}" };
                var pair = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
                    WithRetriesAsync(c => c.EnqueueAsync(ChaosJob.Name, Json(new ChaosPayload(unit.Number, "unique", work)), key, cancellationToken))));
                if (pair[0].Id != pair[1].Id) Interlocked.Increment(ref _splitUniquePairs);
                foreach (var result in pair) Accepted[result.Id] = "unique";
                break;
            case "continuation":
                var parent = await SingleAsync(unit, new ChaosPayload(unit.Number, "parent", work), null, cancellationToken);
                await SingleAsync(unit, new ChaosPayload(unit.Number + 1, "continuation", work), new EnqueueOptions { ContinueAfter = parent }, cancellationToken);
                break;
            default:
                var (payload, enqueueOptions) = unit.Shape switch
                {
                    "slow" => (new ChaosPayload(unit.Number, "slow", 300 + unit.Number * 37 % 1200), null),
                    "flaky" => (new ChaosPayload(unit.Number, "flaky", work, FailBeforeAttempt: 2 + unit.Number % 2), null),
                    "doomed" => (new ChaosPayload(unit.Number, "doomed", work, FailBeforeAttempt: int.MaxValue), new EnqueueOptions { MaxAttempts = 2 }),
                    "delayed" => (new ChaosPayload(unit.Number, "delayed", work), new EnqueueOptions { Delay = TimeSpan.FromMilliseconds(500 + unit.Number * 13 % 4500) }),
                    _ => (new ChaosPayload(unit.Number, "plain", work), (EnqueueOptions?)null),
                };
                await SingleAsync(unit, payload, enqueueOptions, cancellationToken);
                break;
        }
    }

    private async Task<Guid> SingleAsync(Unit unit, ChaosPayload payload, EnqueueOptions? enqueueOptions, CancellationToken cancellationToken)
    {
        var result = await WithRetriesAsync(c => c.EnqueueAsync(ChaosJob.Name, Json(payload), enqueueOptions, cancellationToken));
        Accepted[result.Id] = payload.Shape;
        return result.Id;
    }

    private async Task<T> WithRetriesAsync<T>(Func<IJobClient, Task<T>> call)
    {
        while (true)
        {
            try
            {
                T result = default!;
                await withClient(async c => result = await call(c));
                return result;
            }
            catch (Exception e) when (e is not OperationCanceledException and not UnknownJobTypeException)
            {
                Interlocked.Increment(ref _failedCalls);
                await Task.Delay(250);
            }
        }
    }

    private static string Json(ChaosPayload payload) => JsonSerializer.Serialize(payload, JsonSerializerOptions.Web);
}
