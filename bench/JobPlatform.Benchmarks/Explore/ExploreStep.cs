namespace JobPlatform.Benchmarks.Explore;

/// <summary>One step of a seed's schedule: at <see cref="AtMs"/> into the run, do <see cref="Action"/>.</summary>
/// <param name="Target">Which worker, or which earlier job (an index the ledger resolves), where it applies.</param>
/// <param name="Length">How long a pause or partition lasts, or how many jobs a bulk enqueue or batch holds.</param>
public sealed record ExploreStep(int AtMs, string Action, int Target = 0, int Length = 0)
{
    public override string ToString() => $"{AtMs,5} ms {Action}{(Target != 0 ? $" #{Target}" : "")}{(Length != 0 ? $" ({Length})" : "")}";
}
