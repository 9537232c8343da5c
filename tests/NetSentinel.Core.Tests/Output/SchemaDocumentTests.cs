using System.Text;
using System.Text.Json;
using NetSentinel.Core.Output;

namespace NetSentinel.Core.Tests.Output;

/// <summary>The example lines in docs/jsonl-schema.md are lines the real formatter writes, byte for byte.</summary>
public class SchemaDocumentTests
{
    internal static string DocsFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "docs", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"docs/{name} not found above " + AppContext.BaseDirectory);
    }

    private static List<string> ExampleLines()
    {
        string[] lines = File.ReadAllText(DocsFile("jsonl-schema.md")).Split('\n');
        var examples = new List<string>();
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i] == "```json")
            {
                examples.Add(lines[i + 1]);
            }
        }

        return examples;
    }

    [Fact]
    public void EveryExampleIsExactlyWhatTheFormatterWrites()
    {
        var seen = new List<string>();
        foreach (string example in ExampleLines())
        {
            using JsonDocument document = JsonLine.ParseSingle(Encoding.UTF8.GetBytes(example + "\n"));
            string action = document.RootElement.At("event.action").GetString()!;
            Assert.True(SchemaExamples.ByAction.TryGetValue(action, out LogRecord? record), $"no example record for {action}");
            string written = Encoding.UTF8.GetString(SampleRecords.Formatter().FormatLine(record)).TrimEnd('\n');
            Assert.Equal(written, example);
            Assert.Equal(EcsJsonFormatter.SchemaVersion, document.RootElement.At("net_sentinel.schema_version").GetInt32());
            seen.Add(action);
        }

        Assert.Equal(SchemaExamples.ByAction.Keys.Order(), seen.Order());
    }
}
