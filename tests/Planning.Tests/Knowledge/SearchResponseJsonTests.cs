using System.Text;
using System.Text.Json;

using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class SearchResponseJsonTests
{
    [Fact]
    public void Write_Response_DocumentedFields()
    {
        Experience experience = KnowledgeTestData.Make("t", ["s"]) with { Id = 4 };
        var response = new SearchResponse("feedback",
        [
            new SearchResult(4, "t", 0.25, Retrievers.Dense, null, 2, false, "disagrees", experience),
            new SearchResult(5, "u", 0.5, Retrievers.Bm25 | Retrievers.Dense, 1, 1, true, null, experience with { Id = 5, Task = "u" }),
        ]);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            SearchResponseJson.Write(writer, response);
        }

        Assert.Equal(
            """{"stage":"feedback","results":[{"id":4,"task":"t","score":0.25,"foundBy":["dense"],"bm25Rank":null,"denseRank":2,"withheld":false,"reason":"disagrees","experience":{"id":4,"task":"t","domain":"ops","difficulty":null,"plan":["s"],"experience":"it worked","suggestions":null,"outcome":"success","outcomeReason":null,"source":null,"links":[]}},"""
            + """{"id":5,"task":"u","score":0.5,"foundBy":["bm25","dense"],"bm25Rank":1,"denseRank":1,"withheld":true,"reason":null,"experience":{"id":5,"task":"u","domain":"ops","difficulty":null,"plan":["s"],"experience":"it worked","suggestions":null,"outcome":"success","outcomeReason":null,"source":null,"links":[]}}]}""",
            Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
