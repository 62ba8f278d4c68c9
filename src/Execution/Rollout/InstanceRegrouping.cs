namespace Planning.Execution.Rollout;

/// <summary>
/// The regroups of a run (<see cref="IRolloutPolicy.Regroup"/>): each merge the policy asks for is checked, the absorbed
/// instances retire at once (their GPUs join the absorbing one's), and the absorbing instance takes the summed degree
/// and its KV capacity at its next iteration boundary, after the stall of
/// <see cref="RolloutSimulationOptions.TensorParallelChange"/> (a stock engine's restart, or in-place resharding).
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
    /// At the absorbing instance's boundary: it takes its new degree and capacity and pays
    /// <see cref="RolloutSimulationOptions.TensorParallelChange"/> before its next iteration: in place, its GPUs load the
    /// new shards of the weights and of the KV it holds; a stock engine restarts (the restart and the weights), drops the
    /// caches it held and prefills its running turns' contexts again at the new degree.
    /// </summary>
    public void Apply(int i)
    {
        var inst = run.Instances[i];
        var cost = run.Cost;
        var change = run.Options.TensorParallelChange;
        var degree = inst.PendingDegree;
        inst.PendingDegree = 0;
        var stall = change.Seconds(cost, degree, run.Ledger.Reserved(i), run.ReloadBytesPerSecond);
        if (change.ReprefillsResidentKv)
        {
            run.Recorder.Evictions += run.Ledger.DropAllCaches(i);
            long running = 0;
            foreach (var r in inst.Running)
            {
                var state = run.Trajectories[r];
                running += state.ContextAtJoin + Math.Max(0, inst.Iteration - state.JoinIteration);
            }

            if (running > 0)
            {
                stall += cost.PrefillSeconds(running, 0, degree);
                run.Recorder.PrefillTokens += running;
            }
        }

        inst.Degree = degree;
        run.Ledger.Resize(i, cost.KvCapacityTokens(degree));
        inst.PendingPrefillSeconds += stall;
        run.Recorder.ReloadSeconds += stall;
    }
}
