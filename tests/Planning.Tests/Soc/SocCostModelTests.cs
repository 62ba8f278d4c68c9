using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Graph;
using Planning.Soc;

namespace Planning.Tests.Soc;

public sealed class SocCostModelTests
{
    private static readonly SocCostModel Small = SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B);
    private static readonly SocCostModel Large = SocCostModel.For(SocSpec.Default, LlmSpec.Llama31_8B);

    [Property(MaxTest = 60)]
    public Property Prefill_AnyPromptEitherModel_EveryKernelUnder100MsWhereverItMayRun() =>
        Prop.ForAll(
            Gen.Choose(1, SocCostModel.MaxContextTokens).ToArbitrary(),
            Gen.Elements(Small, Large).ToArbitrary(),
            (prompt, cost) =>
            {
                foreach (var kernel in cost.Prefill(prompt))
                {
                    foreach (var accelerator in kernel.Accelerators)
                    {
                        Assert.True(cost.Cost(kernel, accelerator).Seconds < 0.1, $"{cost.Model.Name} {kernel.Name} on {SocSpec.Name(accelerator)}: {cost.Cost(kernel, accelerator).Seconds * 1000:0.0} ms");
                    }
                }

                return true;
            });

    [Property(MaxTest = 100)]
    public Property Prefill_AnyPrompt_EveryLayerSeesEveryTokenOnceInChunksAndAttention() =>
        Prop.ForAll(
            Gen.Choose(1, SocCostModel.MaxContextTokens).ToArbitrary(),
            Gen.Elements(Small, Large).ToArbitrary(),
            (prompt, cost) =>
            {
                var kernels = cost.Prefill(prompt);
                foreach (var kind in new[] { SocKernelKind.PrefillChunk, SocKernelKind.PrefillAttention })
                {
                    for (var layer = 0; layer < cost.Model.Layers; layer++)
                    {
                        var covering = kernels.Where(k => k.Kind == kind && k.FirstLayer <= layer && layer < k.EndLayer).ToList();
                        Assert.Equal(prompt, covering.Sum(k => k.Tokens));
                        Assert.Equal(covering.Select(k => k.ContextTokens), covering.Select(k => k.ContextTokens).Order());
                    }
                }

                // Full chunks are elastic (NPU or iGPU); the remainder and all attention stay on the iGPU.
                Assert.All(kernels, k => Assert.Equal(
                    k.Kind == SocKernelKind.PrefillChunk && k.Tokens == cost.ChunkTokens ? new[] { DeviceKind.Npu, DeviceKind.IntegratedGpu } : new[] { DeviceKind.IntegratedGpu },
                    k.Accelerators.ToArray()));
                Assert.Equal(kernels.Length, kernels.Select(k => k.Name).Distinct().Count());
                Assert.Single(kernels, k => k.IncludesLmHead);
                return true;
            });

    [Property(MaxTest = 100)]
    public Property DecodeSteps_AnyBatchAndContext_LayersInOrderEachKernelUnder100Ms() =>
        Prop.ForAll(
            Gen.Choose(1, SocCostModel.MaxBatch).ToArbitrary(),
            Gen.Choose(0, SocCostModel.MaxContextTokens).ToArbitrary(),
            Gen.Elements(Small, Large).ToArbitrary(),
            (batch, context, cost) =>
            {
                var steps = cost.DecodeSteps(batch, context);

                Assert.Equal(0, steps[0].FirstLayer);
                Assert.Equal(cost.Model.Layers, steps[^1].EndLayer);
                for (var i = 1; i < steps.Length; i++)
                {
                    Assert.Equal(steps[i - 1].EndLayer, steps[i].FirstLayer);
                }

                Assert.All(steps, k => Assert.All(k.Accelerators, a => Assert.True(cost.Cost(k, a).Seconds < 0.1)));
                Assert.True(steps[^1].IncludesLmHead);
                return true;
            });

    [Fact]
    public void Prefill_1024Tokens_FourChunksOfTheLayerGroups()
    {
        var kernels = Small.Prefill(1024);

        Assert.Equal(4 * Small.PrefillLayerGroups.Length * 2, kernels.Length);
        Assert.Equal("prefill[0:256]/layers[0:" + Small.PrefillLayerGroups[0].EndLayer + "]", kernels[0].Name);
        Assert.Equal(SocKernelKind.PrefillAttention, kernels[1].Kind);
    }

    [Fact]
    public void Cost_AcceleratorNotAllowed_Throws()
    {
        var attention = Small.Prefill(512).First(k => k.Kind == SocKernelKind.PrefillAttention);

        Assert.Throws<ArgumentException>(() => Small.Cost(attention, DeviceKind.Npu));
    }

    [Fact]
    public void Cost_DecodeStep_IsMemoryBoundAndDrawsBytesOverSeconds()
    {
        var step = Large.DecodeSteps(1, 1024)[0];

        var cost = Large.Cost(step, DeviceKind.IntegratedGpu);

        Assert.True(cost.IsMemoryBound);
        Assert.Equal(cost.Bytes / cost.Seconds, cost.BytesPerSecond);
        Assert.False(Large.Cost(Large.Prefill(256)[0], DeviceKind.Npu).IsMemoryBound);
    }

    [Fact]
    public void Slowdown_MemoryBoundKernelAtFullPressure_Is159()
    {
        var step = Large.DecodeSteps(1, 1024)[0];
        var onGpu = Large.Cost(step, DeviceKind.IntegratedGpu);

        Assert.Equal(1.59, Large.Slowdown(SocSpec.Default.DramBytesPerSecond, onGpu), 12);
        Assert.Equal(1.0, Large.Slowdown(0, onGpu));
    }

    [Property(MaxTest = 200)]
    public Property Slowdown_AnyDemand_AtLeastOneAtMost159AndMonotone() =>
        Prop.ForAll(
            Gen.Choose(0, 100_000).ToArbitrary(),
            Gen.Choose(0, 100_000).ToArbitrary(),
            (a, b) =>
            {
                var kernel = Large.Prefill(1024)[1];
                var cost = Large.Cost(kernel, DeviceKind.IntegratedGpu);
                var low = Large.Slowdown(Math.Min(a, b) * 1e6, cost);
                var high = Large.Slowdown(Math.Max(a, b) * 1e6, cost);
                return low >= 1 && high <= SocCostModel.MaxContentionSlowdown && low <= high;
            });

    [Fact]
    public void For_ChunkOutOfRange_NamesTheField()
    {
        Assert.Equal("chunkTokens", Assert.Throws<PlanningInputException>(() => SocCostModel.For(SocSpec.Default, LlmSpec.Llama32_3B, 0)).Field);
        Assert.Equal("promptTokens", Assert.Throws<PlanningInputException>(() => Small.Prefill(8193)).Field);
        Assert.Equal("batch", Assert.Throws<PlanningInputException>(() => Small.DecodeSteps(0, 10)).Field);
        Assert.Equal("contextTokens", Assert.Throws<PlanningInputException>(() => Small.DecodeSteps(1, -1)).Field);
    }
}
