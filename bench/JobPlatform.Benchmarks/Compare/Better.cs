namespace JobPlatform.Benchmarks.Compare;

/// <summary>Which way a measure improves.</summary>
public enum Better { Higher, Lower }
