namespace JobPlatform.Benchmarks.Compare;

public enum WorkKind
{
    /// <summary>Returns at once: what is measured is the engine's own cost per job.</summary>
    Noop,
    /// <summary>Waits 10 ms without a thread, as a job that calls a database or a web service does.</summary>
    Sleep,
    /// <summary>Records when it started, for the enqueue-to-start latency.</summary>
    Probe,
}
