using BenchmarkDotNet.Running;

// `z3-hard-limit` runs the Z3 hard-limit scenario (Z3HardLimitBenchmark); anything else goes to BenchmarkDotNet.
if (args is ["z3-hard-limit", .. var rest])
{
    return Planning.Benchmarks.Z3HardLimitBenchmark.Run(rest);
}

// `ultraep-quality-map OUTDIR` runs issue 21's quality map (UltraEpQualityMap).
if (args is ["ultraep-quality-map", .. var mapArgs])
{
    return Planning.Benchmarks.UltraEpQualityMap.Run(mapArgs);
}

// `knowledge-scale N DIR` times the knowledge base's searches at N experiences (KnowledgeScaleScenario).
if (args is ["knowledge-scale", .. var knowledgeArgs])
{
    return Planning.Benchmarks.KnowledgeScaleScenario.Run(knowledgeArgs);
}

// `rollout-hindsight [FAMILY] [MODELS] [SEEDS]` runs a layout that knows the trace's future beside heddle, the best
// uniform layout and the bound (RolloutHindsightScenario).
if (args is ["rollout-hindsight", .. var hindsightArgs])
{
    return Planning.Benchmarks.RolloutHindsightScenario.Run(hindsightArgs);
}

BenchmarkSwitcher.FromAssembly(typeof(Planning.Benchmarks.EplbBenchmarks).Assembly).Run(args);
return 0;
