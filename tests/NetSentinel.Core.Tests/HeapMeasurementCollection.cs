namespace NetSentinel.Core.Tests;

/// <summary>
/// Tests that measure the whole managed heap (GC.GetTotalMemory) run alone: a test running beside them frees or
/// allocates megabytes between their two readings (CI once read -24 MiB for the DNS name cache).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurementCollection
{
    public const string Name = "whole-heap measurement";
}
