using Planning.Rollout;

namespace Planning.Tests.Rollout;

/// <summary>
/// Generated work items as a property's parameter. Heddle's work item is internal to Planning and xunit runs only
/// public test methods, so the sample type is public and the items it carries are not.
/// </summary>
public sealed class WorkItemSample
{
    internal WorkItemSample(RolloutWorkItem[] items) => Items = items;

    internal RolloutWorkItem[] Items { get; }

    /// <summary>The items, for FsCheck's report of a failing case.</summary>
    public override string ToString() => "[" + string.Join(", ", Items.AsEnumerable()) + "]";
}

/// <summary>A generated migration request as a property's parameter (the request is internal to Planning).</summary>
public sealed class MigrationSample
{
    internal MigrationSample(MigrationRequest request) => Request = request;

    internal MigrationRequest Request { get; }

    /// <summary>The request, for FsCheck's report of a failing case.</summary>
    public override string ToString() => Request.ToString();
}
