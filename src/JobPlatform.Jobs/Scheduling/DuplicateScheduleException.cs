namespace JobPlatform.Jobs.Scheduling;

/// <summary>A schedule of that name exists already.</summary>
public sealed class DuplicateScheduleException(string name) : Exception($"A schedule named '{name}' exists already; update it instead.")
{
    public string Name { get; } = name;
}
