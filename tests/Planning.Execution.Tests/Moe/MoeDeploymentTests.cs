using Planning.Execution.Moe;
using Planning.Graph;

namespace Planning.Execution.Tests.Moe;

/// <summary>A model laid out on hardware: the ranks, node and domain sizes, the cluster, and hardware it cannot use.</summary>
public sealed class MoeDeploymentTests
{
    [Theory]
    [InlineData("deepseek-v3", "h800", 64, 8, 8)]
    [InlineData("deepseek-v3", "nvl72", 64, 8, 64)]
    [InlineData("qwen3-235b-a22b", "nvl72", 32, 8, 32)]
    [InlineData("glm-4.5-air", "h800", 32, 8, 8)]
    public void For_ModelOnHardware_PicksRanksNodeAndDomain(string model, string hardware, int ranks, int node, int domain)
    {
        var deployment = MoeDeployment.For(MoeModelConfig.Load(model), HardwareSpec.Load(hardware));

        Assert.Equal((ranks, node, domain, 4, 2, 8192, 8), (deployment.Ranks, deployment.RanksPerNode, deployment.RanksPerDomain, deployment.ExpertsPerRank, deployment.RedundantSlotsPerRank, deployment.TokensPerRank, deployment.TopK));
    }

    [Theory]
    [InlineData("h800", 8, 8)]
    [InlineData("nvl72", 1, 8)]
    public void For_DeepSeekV3_ClusterIsTheRanksOnTheHardware(string hardware, int domains, int nodes)
    {
        var spec = HardwareSpec.Load(hardware);

        var cluster = MoeDeployment.For(MoeModelConfig.Load("deepseek-v3"), spec).Cluster;

        // One device per rank with the hardware's figures; the domains are the components of the NVLink edges.
        Assert.Same(spec, cluster.Hardware);
        Assert.Equal((64, nodes, domains), (cluster.Devices.Length, cluster.Nodes.Length, cluster.Domains.Length));
        Assert.All(Enumerable.Range(0, 64), r => Assert.Equal(989e12 * 0.55, cluster.DeviceSpec(r).SustainedFlops));
        Assert.Equal(LinkClass.NvLink, cluster.LinkClassBetween(0, 7));
        Assert.Equal(domains == 1 ? LinkClass.NvLink : LinkClass.Network, cluster.LinkClassBetween(0, 8));
    }

    [Fact]
    public void For_FewerRanksThanANode_UsesPartOfEachNode()
    {
        // 12 ranks on 8-GPU nodes: nodes of 6 (the largest divisor of 12 up to 8), one 6-rank domain each.
        var model = new MoeModelConfig { Name = "twelve", Experts = 48, TopK = 2, Hidden = 64, ExpertIntermediate = 32, ExpertsPerRank = 4 };

        var deployment = MoeDeployment.For(model, HardwareSpec.Load("h800"));

        Assert.Equal((12, 6, 6), (deployment.Ranks, deployment.RanksPerNode, deployment.RanksPerDomain));
        Assert.Equal(2, deployment.Cluster.Domains.Length);
    }

    [Fact]
    public void WorkloadSettings_HaveTheClustersShape()
    {
        var deployment = MoeDeployment.For(MoeModelConfig.Load("qwen3-235b-a22b"), HardwareSpec.Load("nvl72"), redundantSlotsPerRank: 3, tokensPerRank: 1024);

        var settings = deployment.WorkloadSettings(Planning.Moe.Workloads.MoeWorkloadFamily.Rotating, 2.5, microbatches: 6, seed: 4, layers: 2);

        Assert.Equal((32, 8, 32, 4, 3, 1024, 8), (settings.Ranks, settings.RanksPerNode, settings.RanksPerDomain, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, settings.TokensPerRank, settings.TopK));
        Assert.Equal((2.5, 6, 4, 2), (settings.TargetImbalance, settings.Microbatches, settings.Seed, settings.Layers));
    }

    [Fact]
    public void For_NodeOfSeveralKindsOfDevice_ThrowsNamingTheDevices()
    {
        // A laptop system-on-chip: CPU, iGPU and NPU in one node; expert parallelism needs alike ranks.
        var error = Assert.Throws<PlanningInputException>(() => MoeDeployment.For(MoeModelConfig.Load("deepseek-v3"), HardwareSpec.Load("core-ultra-5-125h")));

        Assert.Equal("hardware.devices", error.Field);
        Assert.Contains("must be one kind of device", error.Message, StringComparison.Ordinal);
        Assert.Contains("has 3 kinds per node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_SeveralDomainsAndNoNetwork_ThrowsNamingTheLink()
    {
        var spec = HardwareSpec.Parse("""
            { "name": "island", "devices": [ { "name": "gpu", "kind": "gpu", "count": 8, "peakFlops": 1e15, "memoryBytes": 8e10, "memoryBytesPerSecond": 3e12 } ],
              "links": { "nvlink": { "bytesPerSecond": 2e11, "latencySeconds": 5e-6 } } }
            """);

        var error = Assert.Throws<PlanningInputException>(() => MoeDeployment.For(MoeModelConfig.Load("deepseek-v3"), spec));

        Assert.Equal("hardware.links.network", error.Field);
    }

    [Theory]
    [InlineData(-1, 8192, "redundantSlotsPerRank")]
    [InlineData(2, 0, "tokensPerRank")]
    public void For_SizeOutOfRange_NamesIt(int slots, int tokens, string field)
    {
        var error = Assert.Throws<PlanningInputException>(() => MoeDeployment.For(MoeModelConfig.Load("deepseek-v3"), HardwareSpec.Load("h800"), slots, tokens));

        Assert.Equal(field, error.Field);
    }
}
