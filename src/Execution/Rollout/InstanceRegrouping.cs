namespace Planning.Execution.Rollout;

/// <summary>
/// The regroups of a run (<see cref="IRolloutPolicy.Regroup"/>): each merge the policy asks for is checked, the absorbed
/// instances retire at once (their GPUs join the absorbing one's), and the absorbing instance takes the summed degree
/// and its KV capacity at its next iteration boundary, after a stall of
/// <c>(weights + its resident KV) / (new degree × reload bandwidth)</c>.
/// </summary>
internal sealed class InstanceRegrouping(RolloutRun run)
{
    /// <summary>Asks the policy for merges and applies each at once to the absorbed instances (retired) and at the next boundary to the absorbing one.</summary>
    /// <exception cref="InvalidOperationException">The policy asked for a merge that cannot be made.</exception>
    public void Regroup()
    {
        var instances = run.Instances;
        var cost = run.Cost;
        foreach (var merge in run.Policy.Regroup(run))
        {
            var into = merge.Into;
            var absorbed = merge.Absorbed.IsDefault ? [] : merge.Absorbed;
            string Fail(string why) => RolloutRun.Invariant($"policy {run.Policy.Name} merged instances {string.Join(",", absorbed)} into {into}: {why}");
            if (into < 0 || into >= instances.Length || instances[into].Retired)
            {
                throw new InvalidOperationException(Fail("the absorbing instance must exist and be active"));
            }

            if (absorbed.Length == 0 || absorbed.Distinct().Count() != absorbed.Length || absorbed.Any(j => j < 0 || j >= instances.Length || j == into || !run.IsIdle(j)))
            {
                throw new InvalidOperationException(Fail("the absorbed instances must be distinct, other than the absorbing one, and idle"));
            }

            var node = run.NodeOf(into);
            if (node < 0 || absorbed.Any(j => run.NodeOf(j) != node))
            {
                throw new InvalidOperationException(Fail("all their GPUs must lie in one node"));
            }

            // Degrees already shows a merge still pending (applied at the instance's next boundary); merges stack.
            var degree = run.Degrees[into] + absorbed.Sum(j => instances[j].Degree);
            if (!cost.TensorParallelDegrees.Contains(degree))
            {
                throw new InvalidOperationException(Fail(RolloutRun.Invariant($"degree {degree} is not one of {string.Join(", ", cost.TensorParallelDegrees)}")));
            }

            foreach (var j in absorbed)
            {
                var gone = instances[j];
                gone.Retired = true;
                gone.MergedInto = into;
                instances[into].Gpus.AddRange(gone.Gpus);
            }

            instances[into].PendingDegree = degree;
            run.Degrees = run.Degrees.SetItem(into, degree);
            run.Recorder.Regroups++;
            run.Poke(into);
        }
    }

    /// <summary>
    /// At the absorbing instance's boundary: it takes its new degree and capacity; its GPUs load the new shards of the
    /// weights and of the KV it holds (running and cached) before the next iteration.
    /// </summary>
    public void Apply(int i)
    {
        var inst = run.Instances[i];
        var cost = run.Cost;
        var degree = inst.PendingDegree;
        inst.PendingDegree = 0;
        var reload = (cost.WeightBytes + ((double)run.Ledger.Reserved(i) * cost.KvBytesPerToken)) / (degree * run.ReloadBytesPerSecond);
        inst.Degree = degree;
        run.Ledger.Resize(i, cost.KvCapacityTokens(degree));
        inst.PendingPrefillSeconds += reload;
        run.Recorder.ReloadSeconds += reload;
    }
}
