namespace JobPlatform.Jobs.Client;

/// <summary>No worker has registered the requested job type.</summary>
public sealed class UnknownJobTypeException(string type, IReadOnlyCollection<string> knownTypes)
    : Exception($"No worker offers the job type '{type}'. Known types: {(knownTypes.Count == 0 ? "(none yet)" : string.Join(", ", knownTypes))}.")
{
    public string Type { get; } = type;
    public IReadOnlyCollection<string> KnownTypes { get; } = knownTypes;
}
