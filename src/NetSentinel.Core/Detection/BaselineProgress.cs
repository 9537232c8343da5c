namespace NetSentinel.Core.Detection;

/// <summary>
/// How far new-destination learning has come: completed intervals and how many are needed.
/// With --no-baseline or baseline_samples = 0 both are 0 and nothing is ever learning.
/// </summary>
public readonly record struct BaselineProgress(int SamplesSeen, int SamplesRequired)
{
    public bool IsLearning => SamplesSeen < SamplesRequired;
}
