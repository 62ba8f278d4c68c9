using Planning.Soc;

namespace Planning.Tests.Soc;

public sealed class LlmSpecTests
{
    // Meta's model cards give 8.03B and 3.21B parameters; the configuration's projections, embeddings and LM head add
    // up to them once norms (a few hundred thousand weights) are left out.
    [Theory]
    [InlineData("llama-3.1-8b", 8.03e9)]
    [InlineData("llama-3.2-3b", 3.21e9)]
    public void Weights_PublicConfig_AddUpToThePublishedParameterCount(string name, double published)
    {
        var model = LlmSpec.Get(name);

        var parameters = (double)model.StreamedWeights + (model.TiedEmbeddings ? 0 : model.LmHeadWeights);

        Assert.InRange(parameters / published, 0.998, 1.002);
    }

    [Fact]
    public void KvBytesPerToken_Fp16_MatchesTheKnownFigures()
    {
        // Llama-3-8B's FP16 KV cache is 128 KiB a token (32 layers x 8 KV heads x 128 x 2 tensors x 2 bytes).
        Assert.Equal(131072, LlmSpec.Llama31_8B.KvBytesPerToken);
        Assert.Equal(28L * 8 * 128 * 2 * 2, LlmSpec.Llama32_3B.KvBytesPerToken);
    }

    [Fact]
    public void WeightBytes_Int4_HalfAByteAWeight()
    {
        var model = LlmSpec.Llama31_8B;

        Assert.Equal(model.StreamedWeights * 0.5, model.WeightBytes);
        Assert.Equal(128, model.HeadDim);
    }

    [Fact]
    public void Get_Names_ReturnsEachModel()
    {
        Assert.Equal(["llama-3.2-3b", "llama-3.1-8b"], LlmSpec.Names.ToArray());
        Assert.Same(LlmSpec.Llama32_3B, LlmSpec.Get("llama-3.2-3b"));
        Assert.Same(LlmSpec.Llama31_8B, LlmSpec.Get("llama-3.1-8b"));
    }

    [Fact]
    public void Get_Unknown_NamesTheModelField()
    {
        var error = Assert.Throws<PlanningInputException>(() => LlmSpec.Get("gpt-9"));

        Assert.Equal("model", error.Field);
        Assert.Contains("gpt-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HeadsNotDividingHidden_NamesTheField()
    {
        var error = Assert.Throws<PlanningInputException>(() => (LlmSpec.Llama31_8B with { Heads = 30 }).Validate());

        Assert.Equal("model.heads", error.Field);
    }
}
