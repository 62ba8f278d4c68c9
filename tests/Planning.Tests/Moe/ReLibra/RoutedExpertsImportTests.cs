using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Moe.ReLibra;

namespace Planning.Tests.Moe.ReLibra;

/// <summary>Routing replays from SGLang's routed experts: exact counts, longest-first packing, batches, malformed lines named.</summary>
public sealed class RoutedExpertsImportTests
{
    // 2 ranks on one node, 2 experts each (4 experts), 2 hidden layers of which the first is dense, top-2.
    private static readonly RoutedExpertsLayout Tiny = new()
    {
        Ranks = 2,
        RanksPerNode = 2,
        ExpertsPerRank = 2,
        RedundantSlotsPerRank = 1,
        HiddenLayers = 2,
        FirstDenseLayers = 1,
        TopK = 2,
        Microbatches = 1,
    };

    [Fact]
    public void ReadSglang_ThreeSequences_CountsEachRanksRoutingLongestFirst()
    {
        // A (3 tokens) goes to rank 0, C (2) to rank 1, then B (1) to rank 1, which has fewer tokens (2 < 3). Layer 0
        // is dense (SGLang leaves zeros there) and dropped; -1 is an empty slot.
        // Rank 0, A in layer 1: (0,1) (0,2) (3,-1) -> experts [2, 1, 1, 1].
        // Rank 1, C (2,3) (0,3) and B (1,2) -> experts [1, 1, 2, 2].
        var lines = string.Join('\n', Response([[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 3, -1]]), Response([[0, 0, 1, 2]]), Response([[0, 0, 2, 3], [0, 0, 0, 3]]));

        var replay = RoutedExpertsImport.ReadSglang(new StringReader(lines), Tiny);

        var only = Assert.Single(replay.Microbatches);
        Assert.Equal((0, 0), (only.Batch, only.Microbatch));
        var layer = Assert.Single(only.Case.Layers);
        Assert.Equal([2, 1, 1, 1], layer.Row(0).ToArray());
        Assert.Equal([1, 1, 2, 2], layer.Row(1).ToArray());
        Assert.Equal((2, 2, 2, 1), (only.Case.Ranks, only.Case.RanksPerNode, only.Case.ExpertsPerRank, only.Case.RedundantSlotsPerRank));
    }

    [Fact]
    public void ReadSglang_SequencesPerBatchAndMicrobatches_SplitsInFileOrderThenLongestFirst()
    {
        // Batches of 2 sequences: {A, B} and {C}. Two microbatches per rank: in batch 0, A (3 tokens) goes to rank 0 and
        // B (1) to rank 1, each into its rank's microbatch 0; microbatch 1 of both ranks is empty. Batch 1: C on rank 0.
        var lines = string.Join('\n', Response([[0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1]]), Response([[0, 0, 2, 3]]), Response([[0, 0, 1, 2], [0, 0, 1, 2]]));

        var replay = RoutedExpertsImport.ReadSglang(new StringReader(lines), Tiny with { SequencesPerBatch = 2, Microbatches = 2 });

        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], replay.Microbatches.Select(m => (m.Batch, m.Microbatch)));
        var first = replay.Batches[0][0].Case.Layers[0];
        Assert.Equal([3, 3, 0, 0], first.Row(0).ToArray());
        Assert.Equal([0, 0, 1, 1], first.Row(1).ToArray());
        Assert.All(replay.Batches[0][1].Case.Layers[0].ExpertLoads, load => Assert.Equal(0, load));
        Assert.Equal([0, 2, 2, 0], replay.Batches[1][0].Case.Layers[0].Row(0).ToArray());
    }

    [Fact]
    public void ReadSglang_TopLevelField_ReadsItToo()
    {
        var line = $$"""{"routed_experts":"{{Base64([[0, 0, 3, 3]])}}"}""";

        var replay = RoutedExpertsImport.ReadSglang(new StringReader(line), Tiny);

        Assert.Equal([0L, 0L, 0L, 2L], replay.Microbatches[0].Case.Layers[0].ExpertLoads.ToArray());
    }

    [Theory]
    [InlineData("""{"meta_info":{}}""", "line 1: meta_info.routed_experts")]
    [InlineData("""{"meta_info":{"routed_experts":"***"}}""", "line 1: meta_info.routed_experts")]
    [InlineData("""{"meta_info":{"routed_experts":12}}""", "line 1: meta_info.routed_experts")]
    [InlineData("""{"meta_info":{"routed_experts":"AAAAAAAAAAAAAAAA"}}""", "line 1: meta_info.routed_experts")]
    [InlineData("""[1, 2]""", "line 1: json")]
    [InlineData("""{"meta_info": """, "line 1: json")]
    public void ReadSglang_MalformedLine_NamesTheLineAndField(string line, string field)
    {
        var error = Assert.Throws<PlanningInputException>(() => RoutedExpertsImport.ReadSglang(new StringReader(line), Tiny));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void ReadSglang_ExpertBeyondTheModel_NamesTheTokenLayerAndSlot()
    {
        var lines = Response([[0, 0, 0, 1]]) + "\n\n" + Response([[0, 0, 1, 2], [0, 0, 4, 0]]);

        var error = Assert.Throws<PlanningInputException>(() => RoutedExpertsImport.ReadSglang(new StringReader(lines), Tiny));

        Assert.Equal("line 3: meta_info.routed_experts[1][1][0]", error.Field);
        Assert.Contains("got 4", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSglang_TwelveBytesForSixteenATokenAndNoSequences_NamesTheProblem()
    {
        // 16 zero bytes are one token of 2 layers x top-2; 12 are not a whole token.
        var error = Assert.Throws<PlanningInputException>(() => RoutedExpertsImport.ReadSglang(new StringReader("""{"meta_info":{"routed_experts":"AAAAAAAAAAAAAAAA"}}"""), Tiny));
        Assert.Contains("12 bytes", error.Problem, StringComparison.Ordinal);

        Assert.Equal("input", Assert.Throws<PlanningInputException>(() => RoutedExpertsImport.ReadSglang(new StringReader("\n\n"), Tiny)).Field);
        Assert.Equal("ranksPerNode", Assert.Throws<PlanningInputException>(() => RoutedExpertsImport.ReadSglang(new StringReader(string.Empty), Tiny with { RanksPerNode = 3 })).Field);
        Assert.Equal("firstDenseLayers", Assert.Throws<PlanningInputException>(() => RoutedExpertsImport.ReadSglang(new StringReader(string.Empty), Tiny with { FirstDenseLayers = 2 })).Field);
    }

    [Property(MaxTest = 40)]
    public Property ReadSglang_RandomSequences_EveryRoutedSlotCountedOnceAndEverySequenceOnOneRank() =>
        Prop.ForAll(
            Gen.Choose(0, 100_000).ToArbitrary(),
            Gen.Choose(1, 12).ToArbitrary(),
            Gen.Choose(1, 3).ToArbitrary(),
            (seed, count, microbatches) =>
            {
                // 4 ranks on 2 nodes, 8 experts, 3 layers (the first dense), top-2; sequences of 1-9 tokens.
                var layout = new RoutedExpertsLayout { Ranks = 4, RanksPerNode = 2, ExpertsPerRank = 2, HiddenLayers = 3, FirstDenseLayers = 1, TopK = 2, Microbatches = microbatches, SequencesPerBatch = 5 };
                var random = new Random(seed);
                var sequences = Enumerable.Range(0, count)
                    .Select(_ => Enumerable.Range(0, random.Next(1, 10)).Select(_ => Enumerable.Range(0, 6).Select(_ => random.Next(-1, 8)).ToArray()).ToArray())
                    .ToArray();

                var replay = RoutedExpertsImport.ReadSglang(new StringReader(string.Join('\n', sequences.Select(Response))), layout);

                Assert.Equal((count + 4) / 5 * microbatches, replay.Microbatches.Length);
                for (var l = 0; l < 2; l++)
                {
                    // Layer l + 1 of the hidden layers: slots 2(l+1) and 2(l+1)+1 of every token.
                    var expected = new long[8];
                    foreach (var token in sequences.SelectMany(s => s))
                    {
                        foreach (var expert in token.Skip(2 * (l + 1)).Take(2).Where(e => e >= 0))
                        {
                            expected[expert]++;
                        }
                    }

                    var counted = new long[8];
                    foreach (var microbatch in replay.Microbatches)
                    {
                        var loads = microbatch.Case.Layers[l].ExpertLoads;
                        for (var e = 0; e < 8; e++)
                        {
                            counted[e] += loads[e];
                        }
                    }

                    Assert.Equal(expected, counted);
                }

                return true;
            });

    /// <summary>One response line: the tokens' experts, each token its layers' top-k slots in a row.</summary>
    private static string Response(int[][] tokens) => $$$"""{"text":"...","meta_info":{"id":"r","routed_experts":"{{{Base64(tokens)}}}"}}""";

    /// <summary>The little-endian int32 bytes of the tokens' slots, in base64: what SGLang returns.</summary>
    private static string Base64(int[][] tokens)
    {
        var values = tokens.SelectMany(t => t).ToArray();
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Convert.ToBase64String(bytes);
    }
}
