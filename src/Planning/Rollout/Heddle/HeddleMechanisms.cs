using System.Collections.Immutable;

namespace Planning.Rollout;

/// <summary>Heddle's mechanisms, each of which can be switched off for an ablation.</summary>
[Flags]
public enum HeddleMechanisms
{
    /// <summary>None: a sticky FIFO (the first request goes to the instance with the fewest requests, later turns return to it) at equal TP.</summary>
    None = 0,

    /// <summary>
    /// Progressive priority: longest predicted remaining work first, re-ranked after every turn, with preemption at
    /// iteration boundaries; and trajectory-level admission: a trajectory starts on an instance only when the predicted
    /// final contexts of the trajectories already running there, with its own, fit the instance's KV cache (see
    /// <see cref="HeddleOptions.AdmissionKvFraction"/>).
    /// </summary>
    Priority = 1,

    /// <summary>Presorted-DP placement of trajectories on instances from their prompt predictions (sticky afterwards).</summary>
    Placement = 2,

    /// <summary>Opportunistic migration at tool calls (KV transfer hidden in the tool time, or re-prefill, or stay).</summary>
    Migration = 4,

    /// <summary>The resource manager's tensor-parallel degree per instance (sort-based mapping refined by simulated annealing).</summary>
    Resources = 8,

    /// <summary>Every mechanism.</summary>
    All = Priority | Placement | Migration | Resources,
}

/// <summary>Names and parsing of <see cref="HeddleMechanisms"/>.</summary>
public static class HeddleMechanismNames
{
    private static readonly (string Name, HeddleMechanisms Flag)[] Flags =
    [
        ("priority", HeddleMechanisms.Priority),
        ("placement", HeddleMechanisms.Placement),
        ("migration", HeddleMechanisms.Migration),
        ("resources", HeddleMechanisms.Resources),
    ];

    /// <summary>The mechanism names, in canonical order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. Flags.Select(f => f.Name)];

    /// <summary>Parses a comma-separated list (<c>priority,placement</c>; <c>all</c>; <c>none</c> or empty for none).</summary>
    /// <param name="text">The list.</param>
    /// <param name="field">The field named in errors.</param>
    /// <returns>The set.</returns>
    /// <exception cref="PlanningInputException">An unknown name.</exception>
    public static HeddleMechanisms Parse(string? text, string field = "mechanisms")
    {
        var result = HeddleMechanisms.None;
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant();
            if (name == "all")
            {
                result |= HeddleMechanisms.All;
                continue;
            }

            if (name == "none")
            {
                continue;
            }

            var match = Array.FindIndex(Flags, f => f.Name == name);
            if (match < 0)
            {
                throw new PlanningInputException(field, $"must list mechanisms among {string.Join(", ", Names)} (or all, none), got \"{part}\"");
            }

            result |= Flags[match].Flag;
        }

        return result;
    }

    /// <summary>The canonical comma-separated form (<c>none</c> for none).</summary>
    /// <param name="mechanisms">The set.</param>
    /// <returns>The names.</returns>
    public static string Format(HeddleMechanisms mechanisms)
    {
        var names = Flags.Where(f => (mechanisms & f.Flag) != 0).Select(f => f.Name).ToArray();
        return names.Length == 0 ? "none" : string.Join(",", names);
    }
}
