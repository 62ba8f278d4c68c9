using System.Collections.Immutable;

namespace Planning.Moe.Reordering;

/// <summary>Two master slots in different domains whose experts change places.</summary>
/// <param name="SlotA">The slot in the hotter domain (its expert moves to <paramref name="SlotB"/>'s rank).</param>
/// <param name="SlotB">The slot in the colder domain (its expert moves to <paramref name="SlotA"/>'s rank).</param>
public readonly record struct SlotSwap(int SlotA, int SlotB);

/// <summary>What <see cref="DomainReordering"/> decided for one layer. Immutable.</summary>
/// <param name="Swaps">The swaps, in the order chosen; every slot appears at most once.</param>
/// <param name="DomainImbalanceBefore">The peak before: over the scenarios, the largest domain load over that scenario's mean domain load (1 when there is no load).</param>
/// <param name="DomainImbalanceAfter">The peak after the swaps; never above <paramref name="DomainImbalanceBefore"/>.</param>
public sealed record DomainReorderPlan(ImmutableArray<SlotSwap> Swaps, double DomainImbalanceBefore, double DomainImbalanceAfter)
{
    /// <summary>Experts that change rank: two per swap.</summary>
    public int MovedExperts => 2 * Swaps.Length;

    /// <summary>
    /// Applies the swaps to a slot-to-expert map: <c>expertAt[s]</c> is the logical expert in master slot <c>s</c>.
    /// </summary>
    /// <param name="expertAt">The map before; not changed.</param>
    /// <returns>The map after.</returns>
    public int[] Apply(ReadOnlySpan<int> expertAt)
    {
        var result = expertAt.ToArray();
        foreach (var swap in Swaps)
        {
            (result[swap.SlotA], result[swap.SlotB]) = (result[swap.SlotB], result[swap.SlotA]);
        }

        return result;
    }
}
