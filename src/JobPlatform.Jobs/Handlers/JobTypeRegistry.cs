using System.Collections.Frozen;

namespace JobPlatform.Jobs.Handlers;

/// <summary>The job types this process can run, by name.</summary>
public sealed class JobTypeRegistry(IEnumerable<JobTypeDefinition> definitions)
{
    private readonly FrozenDictionary<string, JobTypeDefinition> _byName =
        definitions.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<JobTypeDefinition> All => _byName.Values;

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public bool TryGet(string name, out JobTypeDefinition definition) =>
        _byName.TryGetValue(name, out definition!);
}
