namespace JobPlatform.Benchmarks.Compare;

/// <summary>An engine, the settings it is measured with, and how many jobs each scenario gives it.</summary>
public sealed record ContenderSpec(string Name, string Settings, ScenarioSizes Sizes, Func<IContender> Create);
