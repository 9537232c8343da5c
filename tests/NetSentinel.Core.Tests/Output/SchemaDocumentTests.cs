using System.Text;
using System.Text.Json;

namespace NetSentinel.Core.Tests.Output;

/// <summary>The example lines in docs/jsonl-schema.md must be lines the formatter could have written.</summary>
public class SchemaDocumentTests
{
    private static string SchemaDocument()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "docs", "jsonl-schema.md");
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        throw new FileNotFoundException("docs/jsonl-schema.md not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void EveryKindHasAnExampleThatParsesAsSchemaVersion1()
    {
        string[] lines = SchemaDocument().Split('\n');
        var actions = new List<string>();
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i] == "```json")
            {
                using JsonDocument document = JsonLine.ParseSingle(Encoding.UTF8.GetBytes(lines[i + 1] + "\n"));
                JsonElement root = document.RootElement;
                Assert.Equal(1, root.At("net_sentinel.schema_version").GetInt32());
                Assert.Equal("8.11.0", root.At("ecs.version").GetString());
                actions.Add(root.At("event.action").GetString()!);
            }
        }

        Assert.Equal(
            ["high_send_rate", "new_destination", "many_connections", "connection_opened", "connection_closed", "connection_failed", "udp_flow", "connection_snapshot", "events_lost"],
            actions);
    }
}
