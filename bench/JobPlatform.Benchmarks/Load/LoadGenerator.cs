using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace JobPlatform.Benchmarks.Load;

/// <summary>
/// Drives the api over HTTP: POST /api/jobs at a fixed rate or from a number of concurrent callers, for a
/// duration; then follows every accepted job until it ends (or the wait runs out). Bounded in count and time.
/// </summary>
public sealed class LoadGenerator(HttpClient http, LoadOptions options)
{
    private readonly LoadResult _result = new();
    private readonly Lock _gate = new();
    private int _sent;

    /// <summary>Requests sent so far, accepted, and errors: for a live display.</summary>
    public (int Sent, int Accepted, int Errors) Progress
    {
        get { lock (_gate) return (_sent, _result.Accepted, _result.Errors.Values.Sum()); }
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using (var load = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            load.CancelAfter(options.Duration);
            await (options.Rate is { } rate ? AtRateAsync(rate, load.Token) : FromCallersAsync(load.Token));
        }
        _result.Elapsed = clock.Elapsed;
        await FollowJobsAsync(cancellationToken);
        return _result;
    }

    private Task FromCallersAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async _ =>
        {
            while (!cancellationToken.IsCancellationRequested) await SendAsync(cancellationToken);
        }));

    private async Task AtRateAsync(double rate, CancellationToken cancellationToken)
    {
        // One request every 1/rate seconds, at most Concurrency in flight: a slow api lowers the rate, it
        // does not pile up unbounded requests.
        using var inFlight = new SemaphoreSlim(options.Concurrency);
        var pending = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / rate);
        var clock = Stopwatch.StartNew();
        for (long n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            var due = interval * n - clock.Elapsed;
            try
            {
                if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
                await inFlight.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            pending.Add(Task.Run(async () =>
            {
                try { await SendAsync(cancellationToken); }
                finally { inFlight.Release(); }
            }, CancellationToken.None));
        }
        await Task.WhenAll(pending);
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var body = $$"""{"type": {{JsonSerializer.Serialize(options.Type)}}, "payload": {{options.PayloadJson}}}""";
        var clock = Stopwatch.StartNew();
        string? error = null;
        Guid? id = null;
        try
        {
            using var response = await http.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
            if (response.IsSuccessStatusCode)
                id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
            else error = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // the run ended while this request was in flight: not counted
        }
        catch (HttpRequestException e)
        {
            error = e.HttpRequestError.ToString();
        }
        // Answered only as the run ended: the server may have seen the cancellation (499) instead of the request.
        if (error is not null && cancellationToken.IsCancellationRequested) return;
        lock (_gate)
        {
            _sent++;
            _result.LatenciesMs.Add(clock.Elapsed.TotalMilliseconds);
            if (id is { } accepted) _result.Ids.Add(accepted);
            else _result.Errors[error!] = _result.Errors.GetValueOrDefault(error!) + 1;
        }
    }

    private async Task FollowJobsAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + options.CompletionWait;
        var open = new List<Guid>(_result.Ids);
        var last = new Dictionary<Guid, JsonElement>();
        while (open.Count > 0 && DateTime.UtcNow < deadline)
        {
            var still = new List<Guid>();
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                var job = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}", ct);
                lock (_gate)
                {
                    last[id] = job;
                    if (job.GetProperty("state").GetString() is not ("succeeded" or "failed" or "cancelled")) still.Add(id);
                }
            });
            open = still;
            if (open.Count > 0) await Task.Delay(500, cancellationToken);
        }
        foreach (var job in last.Values)
        {
            var state = job.GetProperty("state").GetString()!;
            _result.FinalStates[state] = _result.FinalStates.GetValueOrDefault(state) + 1;
            if (job.GetProperty("startedAt").ValueKind == JsonValueKind.String)
                _result.QueueWaitsMs.Add((job.GetProperty("startedAt").GetDateTimeOffset() - job.GetProperty("runAt").GetDateTimeOffset()).TotalMilliseconds);
        }
    }
}
