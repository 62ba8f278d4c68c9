namespace Planning.Rollout;

/// <summary>
/// One trajectory's predicted remaining work, what the placement, priority and resource planners reason about.
/// </summary>
/// <param name="Trajectory">An identifier of the trajectory, usually its index in the trace; it breaks ties, so that every ordering is deterministic (a caller may number items to choose how ties fall: plans are indexed by the items' positions).</param>
/// <param name="PredictedTokens">Output tokens it is predicted still to generate (at least 0).</param>
/// <param name="ContextTokens">Tokens in its context now (prompt, outputs and observations so far; at least 0).</param>
/// <param name="PredictedToolSeconds">Seconds of tool calls it is predicted still to spend off the GPU (at least 0).</param>
internal sealed record RolloutWorkItem(int Trajectory, double PredictedTokens, long ContextTokens, double PredictedToolSeconds)
{
    /// <summary>Checks the item and throws <see cref="PlanningInputException"/> naming the bad field.</summary>
    /// <param name="field">The JSON path of the item, such as <c>items[3]</c>.</param>
    /// <exception cref="PlanningInputException">A field is negative, NaN or infinite.</exception>
    public void Validate(string field)
    {
        if (Trajectory < 0)
        {
            throw new PlanningInputException($"{field}.trajectory", $"must be at least 0, got {Trajectory}");
        }

        if (!double.IsFinite(PredictedTokens) || PredictedTokens < 0)
        {
            throw new PlanningInputException($"{field}.predictedTokens", $"must be a finite number at least 0, got {PredictedTokens}");
        }

        if (ContextTokens < 0)
        {
            throw new PlanningInputException($"{field}.contextTokens", $"must be at least 0, got {ContextTokens}");
        }

        if (!double.IsFinite(PredictedToolSeconds) || PredictedToolSeconds < 0)
        {
            throw new PlanningInputException(
                $"{field}.predictedToolSeconds", $"must be a finite number of seconds at least 0, got {PredictedToolSeconds}");
        }
    }

    /// <summary>Checks every item of a list (see <see cref="Validate(string)"/>).</summary>
    /// <param name="items">The items; not null, no null entry.</param>
    /// <param name="field">The JSON path of the list, such as <c>items</c>.</param>
    /// <exception cref="PlanningInputException">An item is null or has a bad field.</exception>
    public static void ValidateAll(IReadOnlyList<RolloutWorkItem> items, string field = "items")
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                throw new PlanningInputException($"{field}[{i}]", "must not be null");
            }

            items[i].Validate($"{field}[{i}]");
        }
    }
}
