using System.Collections.Immutable;
using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// A rollout trace: the trajectories of one RL rollout step, in trace order, with unique ids. Immutable; the contract
/// of <c>TRACE.jsonl</c> (see <see cref="RolloutTraceJson"/>).
/// </summary>
public sealed class RolloutTrace
{
    /// <summary>Creates a trace.</summary>
    /// <param name="trajectories">The trajectories, in trace order; at least one, ids unique.</param>
    /// <exception cref="PlanningInputException">The trace is empty (field <c>trace</c>) or an id repeats (field <c>trace[i].id</c>).</exception>
    public RolloutTrace(IEnumerable<Trajectory> trajectories)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        var list = trajectories.ToImmutableArray();
        if (list.IsEmpty)
        {
            throw new PlanningInputException("trace", "must hold at least one trajectory, got none");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i], nameof(trajectories));
            if (!seen.TryAdd(list[i].Id, i))
            {
                throw new PlanningInputException(
                    string.Create(CultureInfo.InvariantCulture, $"trace[{i}].id"),
                    string.Create(CultureInfo.InvariantCulture, $"must be unique, but \"{list[i].Id}\" is also trace[{seen[list[i].Id]}].id"));
            }
        }

        Trajectories = list;
        TotalOutputTokens = list.Sum(t => t.TotalOutputTokens);
    }

    /// <summary>The trajectories, in trace order.</summary>
    public ImmutableArray<Trajectory> Trajectories { get; }

    /// <summary>The number of trajectories.</summary>
    public int Count => Trajectories.Length;

    /// <summary>All output tokens the trace generates.</summary>
    public long TotalOutputTokens { get; }

    /// <summary>The GRPO groups in order of first appearance, each with its trajectories in trace order.</summary>
    /// <returns>The groups.</returns>
    public ImmutableArray<IGrouping<string, Trajectory>> Groups() => [.. Trajectories.GroupBy(t => t.Group, StringComparer.Ordinal)];
}
