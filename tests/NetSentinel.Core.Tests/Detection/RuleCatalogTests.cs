using NetSentinel.Core.Detection;
using NetSentinel.Core.Tests.Output;

namespace NetSentinel.Core.Tests.Detection;

public class RuleCatalogTests
{
    private static readonly string Detectors = File.ReadAllText(SchemaDocumentTests.DocsFile("detectors.md"));

    [Fact]
    public void EveryRuleIsInTheCatalogOnce()
    {
        string[] rules =
        [
            HighSendRateDetector.RuleName, ManyConnectionsDetector.RuleName, NewDestinationDetector.RuleName, ScanDetector.RuleName,
            BeaconDetector.RuleName, ExfiltrationDetector.RuleName, BlocklistDetector.RuleName,
        ];
        Assert.Equal(rules.Order(), RuleCatalog.All.Select(r => r.Name).Order());
        Assert.Equal(RuleCatalog.All.Count, RuleCatalog.All.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void EveryReferenceIsASectionOfTheDetectorsPage()
    {
        foreach (RuleMetadata rule in RuleCatalog.All)
        {
            Assert.StartsWith("docs/detectors.md#", rule.Reference, StringComparison.Ordinal);
            string anchor = rule.Reference["docs/detectors.md#".Length..];
            Assert.Contains($"\n## {anchor}\n", Detectors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheDocumentedTechniquesAreTheCatalogs()
    {
        foreach (RuleMetadata rule in RuleCatalog.All)
        {
            string row = Detectors.Split('\n').Single(line => line.StartsWith($"| `{rule.Name}` | {rule.Id} |", StringComparison.Ordinal));
            Assert.Contains($"| {rule.Category} |", row, StringComparison.Ordinal);
            foreach (ThreatTechnique technique in rule.Techniques)
            {
                Assert.Contains($"{technique.Id} {technique.Name}", row, StringComparison.Ordinal);
            }

            Assert.Equal(rule.Techniques.Count, row.Split('|')[4].Split(';').Length);
        }
    }

    [Theory]
    [InlineData(NetSentinel.Core.Output.Severity.Low, 21.0)]
    [InlineData(NetSentinel.Core.Output.Severity.Medium, 47.0)]
    [InlineData(NetSentinel.Core.Output.Severity.High, 73.0)]
    [InlineData(NetSentinel.Core.Output.Severity.Critical, 99.0)]
    public void RiskScoreFollowsSeverity(NetSentinel.Core.Output.Severity severity, double score)
    {
        Assert.Equal(score, RuleCatalog.RiskScore(severity));
    }
}
