using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Moe.Reordering;

/// <summary>
/// Reorders master experts across scale-up domains between batches (ReLibra's inter-node step): given the loads each
/// master slot saw in earlier microbatches, it swaps masters between domains until every domain is within
/// <see cref="DomainReorderingOptions.Tolerance"/> of the mean in every one of those microbatches, no swap helps
/// enough, or the swap budget is spent. UltraEP's replicas stay inside a domain, so a domain hotter than the mean stays
/// hot however well the quota planner balances its ranks; reordering removes that part of the imbalance, the quota
/// planner the rest, every microbatch.
/// </summary>
/// <remarks>
/// <para>Masters are addressed by slot: slot <c>s</c> is the master slot that <see cref="MoeTopology.ExpertMaster"/>
/// gives expert number <c>s</c> (rank <c>s / expertsPerRank</c>), so a swap exchanges the experts of two slots and
/// every rank keeps its number of masters.</para>
/// <para><b>Objective.</b> The peak: over the observed microbatches (the scenarios) and the domains, the largest
/// domain load divided by that microbatch's mean domain load. Balancing each microbatch, not only their sum, matters
/// because popularity moves together from one microbatch to the next (a sharper or flatter skew lifts every hot expert
/// at once): a domain that matches the mean only on average, with its load in a few hot experts, overshoots in the
/// sharper microbatches.</para>
/// <para><b>Search.</b> Each step takes the domain <c>h</c> with the largest normalized load averaged over the
/// scenarios and, over every other domain <c>c</c> and every pair of not yet moved slots <c>a</c> in <c>h</c>,
/// <c>b</c> in <c>c</c>, the swap that minimises the average over the scenarios of <c>max(L_h, L_c)</c> after the
/// swap, among the swaps that lift no scenario's <c>h</c> or <c>c</c> above the current peak; ties go to the lowest
/// (c, a, b). It stops when <c>h</c>'s average is within <see cref="DomainReorderingOptions.Tolerance"/> of the mean,
/// or when the best swap lowers it by less than <see cref="DomainReorderingOptions.MinGain"/>: a swap moves two
/// experts' weights (and, in training, their optimizer state) across the network, which is only worth it for a real
/// gain. Working on the hot domain's average rather than on the peak itself keeps the search moving where several
/// domains share the peak (no single swap lowers a tied maximum). The peak never rises. A slot moves at most once per
/// call (each expert crosses the network at most once per reordering), which also ends the search. With one
/// scenario this is the classic greedy: the hottest domain trades an expert with the partner that best evens the
/// pair. Deterministic; O(swaps x scenarios x slots^2 / domains) time.</para>
/// </remarks>
public static class DomainReordering
{
    /// <summary>Plans the swaps for one layer from one load vector (the expected loads).</summary>
    /// <param name="topology">The topology (ranks, domains, masters per rank).</param>
    /// <param name="slotLoads">The load of the expert in each master slot, one per expert (slot order).</param>
    /// <param name="options">The options; <see langword="null"/> for <see cref="DomainReorderingOptions.Default"/>.</param>
    /// <returns>The swaps and the peak before and after.</returns>
    /// <exception cref="PlanningInputException">A load is negative or their number is not the number of experts.</exception>
    public static DomainReorderPlan Plan(MoeTopology topology, IReadOnlyList<long> slotLoads, DomainReorderingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(slotLoads);
        return Plan(topology, [slotLoads], options);
    }

    /// <summary>Plans the swaps for one layer from the loads of several microbatches.</summary>
    /// <param name="topology">The topology (ranks, domains, masters per rank).</param>
    /// <param name="scenarios">Per observed microbatch, the load of the expert in each master slot (slot order); at least one.</param>
    /// <param name="options">The options; <see langword="null"/> for <see cref="DomainReorderingOptions.Default"/>.</param>
    /// <returns>The swaps and the peak (largest domain imbalance over the scenarios) before and after.</returns>
    /// <exception cref="PlanningInputException">There is no scenario, a load is negative, or a scenario does not have one load per expert.</exception>
    public static DomainReorderPlan Plan(MoeTopology topology, IReadOnlyList<IReadOnlyList<long>> scenarios, DomainReorderingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(scenarios);
        options = (options ?? DomainReorderingOptions.Default).Validate();
        var loads = Read(topology, scenarios);
        var count = loads.Length;
        var domains = topology.Domains;
        var slotsOfDomain = new List<int>[domains];
        for (var d = 0; d < domains; d++)
        {
            slotsOfDomain[d] = [];
        }

        for (var s = 0; s < topology.Experts; s++)
        {
            slotsOfDomain[topology.RankDomain[topology.ExpertMaster[s]]].Add(s);
        }

        // domainLoad[k][d] / mean[k]: the normalized load of domain d in scenario k (a scenario with no load counts as flat).
        var scale = new double[count];
        var domainLoad = new double[count][];
        for (var k = 0; k < count; k++)
        {
            domainLoad[k] = new double[domains];
            var total = 0.0;
            for (var d = 0; d < domains; d++)
            {
                foreach (var s in slotsOfDomain[d])
                {
                    domainLoad[k][d] += loads[k][s];
                }

                total += domainLoad[k][d];
            }

            scale[k] = total > 0 ? domains / total : 0.0;
        }

        var before = Peak(domainLoad, scale);
        var moved = new bool[topology.Experts];
        var swaps = ImmutableArray.CreateBuilder<SlotSwap>();
        while (swaps.Count < options.MaxSwaps)
        {
            var hot = HottestOnAverage(domainLoad, scale, out var hotLoad);
            if (hotLoad <= 1.0 + options.Tolerance)
            {
                break;
            }

            var best = hotLoad;
            var peak = Peak(domainLoad, scale);
            (int A, int B, int Cold) choice = (-1, -1, -1);
            for (var cold = 0; cold < domains; cold++)
            {
                if (cold == hot)
                {
                    continue;
                }

                foreach (var a in slotsOfDomain[hot])
                {
                    if (moved[a])
                    {
                        continue;
                    }

                    foreach (var b in slotsOfDomain[cold])
                    {
                        if (moved[b])
                        {
                            continue;
                        }

                        // The mean over the scenarios of the pair's larger load; no scenario may rise above the peak.
                        var sum = 0.0;
                        var withinPeak = true;
                        for (var k = 0; k < count && withinPeak; k++)
                        {
                            var delta = loads[k][a] - loads[k][b];
                            var pairMax = Math.Max(domainLoad[k][hot] - delta, domainLoad[k][cold] + delta) * scale[k];
                            sum += pairMax;
                            withinPeak = pairMax <= peak;
                        }

                        var candidate = sum / count;
                        if (withinPeak && candidate < best)
                        {
                            best = candidate;
                            choice = (a, b, cold);
                        }
                    }
                }
            }

            if (choice.A < 0 || hotLoad - best < options.MinGain)
            {
                break;
            }

            for (var k = 0; k < count; k++)
            {
                var delta = loads[k][choice.A] - loads[k][choice.B];
                domainLoad[k][hot] -= delta;
                domainLoad[k][choice.Cold] += delta;

                // Slots are positions: they keep their domains, only the experts (and their loads) change places.
                (loads[k][choice.A], loads[k][choice.B]) = (loads[k][choice.B], loads[k][choice.A]);
            }

            moved[choice.A] = moved[choice.B] = true;
            swaps.Add(new SlotSwap(choice.A, choice.B));
        }

        return new DomainReorderPlan(swaps.ToImmutable(), before, Peak(domainLoad, scale));
    }

    private static double[][] Read(MoeTopology topology, IReadOnlyList<IReadOnlyList<long>> scenarios)
    {
        if (scenarios.Count == 0)
        {
            throw new PlanningInputException("scenarios", "must hold at least one load vector, got none");
        }

        var loads = new double[scenarios.Count][];
        for (var k = 0; k < scenarios.Count; k++)
        {
            var scenario = scenarios[k] ?? throw new PlanningInputException(Field(k), "must not be null");
            if (scenario.Count != topology.Experts)
            {
                throw new PlanningInputException(Field(k), string.Create(CultureInfo.InvariantCulture, $"must have one load per expert ({topology.Experts}), got {scenario.Count}"));
            }

            loads[k] = new double[scenario.Count];
            for (var s = 0; s < scenario.Count; s++)
            {
                if (scenario[s] < 0)
                {
                    throw new PlanningInputException(string.Create(CultureInfo.InvariantCulture, $"{Field(k)}[{s}]"), string.Create(CultureInfo.InvariantCulture, $"must be non-negative, got {scenario[s]}"));
                }

                loads[k][s] = scenario[s];
            }
        }

        return loads;
    }

    private static string Field(int scenario) => string.Create(CultureInfo.InvariantCulture, $"scenarios[{scenario}]");

    /// <summary>The largest normalized domain load over the scenarios (at least 1).</summary>
    private static double Peak(double[][] domainLoad, double[] scale)
    {
        var peak = 1.0;
        for (var k = 0; k < domainLoad.Length; k++)
        {
            foreach (var load in domainLoad[k])
            {
                peak = Math.Max(peak, load * scale[k]);
            }
        }

        return peak;
    }

    /// <summary>The domain with the largest normalized load averaged over the scenarios (the lowest on ties), and that average.</summary>
    private static int HottestOnAverage(double[][] domainLoad, double[] scale, out double average)
    {
        var hot = 0;
        average = double.NegativeInfinity;
        for (var d = 0; d < domainLoad[0].Length; d++)
        {
            var sum = 0.0;
            for (var k = 0; k < domainLoad.Length; k++)
            {
                sum += domainLoad[k][d] * scale[k];
            }

            if (sum / domainLoad.Length > average)
            {
                average = sum / domainLoad.Length;
                hot = d;
            }
        }

        return hot;
    }
}
