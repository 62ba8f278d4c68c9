using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Planning.Native;

/// <summary>The status codes of the C ABI (docs/contracts.md).</summary>
internal static class NativeStatus
{
    /// <summary>The call succeeded.</summary>
    public const int Ok = 0;

    /// <summary>A field is out of range or a length does not match; <c>planning_last_error</c> names it.</summary>
    public const int InvalidInput = 1;

    /// <summary>An output buffer is too small; the counts say how many rows the plan has.</summary>
    public const int BufferTooSmall = 2;

    /// <summary>The handle is null, destroyed or not one of this library's.</summary>
    public const int InvalidHandle = 3;

    /// <summary>An unexpected failure; <c>planning_last_error</c> has the message.</summary>
    public const int InternalError = 4;
}

/// <summary>
/// The C ABI of the real-time planners. Every function returns a status (<see cref="NativeStatus"/>); on a failure the
/// calling thread's <c>planning_last_error</c> holds a message naming the field. Handles are opaque; one handle serves
/// one thread at a time.
/// </summary>
internal static unsafe class NativeExports
{
    [ThreadStatic]
    private static string? t_lastError;

    /// <summary>
    /// <c>int32_t planning_create(const char* policy, int32_t ranks, int32_t ranks_per_domain, int32_t ranks_per_node,
    /// int32_t experts_per_rank, int32_t redundant_slots_per_rank, int32_t expert_groups, int64_t min_replica_quota,
    /// void** handle)</c>.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "planning_create")]
    public static int Create(byte* policy, int ranks, int ranksPerDomain, int ranksPerNode, int expertsPerRank, int redundantSlotsPerRank, int expertGroups, long minReplicaQuota, nint* handle)
    {
        if (handle == null)
        {
            return Fail(NativeStatus.InvalidInput, "handle: must not be null");
        }

        *handle = 0;
        try
        {
            var name = policy == null ? string.Empty : Marshal.PtrToStringUTF8((nint)policy) ?? string.Empty;
            var planner = NativePlanner.Create(name, ranks, ranksPerDomain, ranksPerNode, expertsPerRank, redundantSlotsPerRank, expertGroups, minReplicaQuota);
            *handle = GCHandle.ToIntPtr(GCHandle.Alloc(planner));
            return NativeStatus.Ok;
        }
        catch (PlanningInputException e)
        {
            return Fail(NativeStatus.InvalidInput, $"{e.Field}: {e.Problem}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(NativeStatus.InternalError, e.Message);
        }
    }

    /// <summary>
    /// <c>int32_t planning_sizes(void* handle, int64_t* sizes)</c>: writes four numbers: experts, ranks, the most placement
    /// rows and the most reroute rows a plan of this handle can have.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "planning_sizes")]
    public static int Sizes(nint handle, long* sizes)
    {
        if (!TryGet(handle, out var planner))
        {
            return NativeStatus.InvalidHandle;
        }

        if (sizes == null)
        {
            return Fail(NativeStatus.InvalidInput, "sizes: must not be null");
        }

        sizes[0] = planner.Topology.Experts;
        sizes[1] = planner.Topology.Ranks;
        sizes[2] = planner.MaxInstances;
        sizes[3] = planner.MaxRoutes;
        return NativeStatus.Ok;
    }

    /// <summary>
    /// <c>int32_t planning_balance(void* handle, const int64_t* tokens, int64_t tokens_length, int64_t* placement,
    /// int64_t placement_capacity, int64_t* placement_rows, int64_t* rank_loads, int64_t rank_loads_capacity,
    /// int64_t* reroutes, int64_t reroutes_capacity, int64_t* reroute_rows, double* bounds)</c>: plans one layer.
    /// Capacities count rows (placement: 3 values a row, reroutes: 4); bounds receives imbalance and lower bound.
    /// A null <c>reroutes</c> skips the reroute table (its row count is then 0).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "planning_balance")]
    public static int Balance(
        nint handle,
        long* tokens,
        long tokensLength,
        long* placement,
        long placementCapacity,
        long* placementRows,
        long* rankLoads,
        long rankLoadsCapacity,
        long* reroutes,
        long reroutesCapacity,
        long* rerouteRows,
        double* bounds)
    {
        if (!TryGet(handle, out var planner))
        {
            return NativeStatus.InvalidHandle;
        }

        if (tokens == null || placement == null || placementRows == null || rankLoads == null || rerouteRows == null || bounds == null || (reroutes == null && reroutesCapacity != 0))
        {
            return Fail(NativeStatus.InvalidInput, "buffers: tokens, placement, placement_rows, rank_loads, reroute_rows and bounds must not be null");
        }

        if (tokensLength < 0 || tokensLength > int.MaxValue || placementCapacity < 0 || placementCapacity > int.MaxValue / 3
            || rankLoadsCapacity < 0 || rankLoadsCapacity > int.MaxValue || reroutesCapacity < 0 || reroutesCapacity > int.MaxValue / 4)
        {
            return Fail(NativeStatus.InvalidInput, "lengths: must be non-negative and fit a 32-bit element count");
        }

        try
        {
            var status = planner.Balance(
                new ReadOnlySpan<long>(tokens, (int)tokensLength),
                new Span<long>(placement, (int)(placementCapacity * 3)),
                new Span<long>(rankLoads, (int)rankLoadsCapacity),
                reroutes == null ? [] : new Span<long>(reroutes, (int)(reroutesCapacity * 4)),
                withRoutes: reroutes != null,
                out var rows,
                out var routeRows,
                out var imbalance,
                out var lowerBound);
            *placementRows = rows;
            *rerouteRows = routeRows;
            bounds[0] = imbalance;
            bounds[1] = lowerBound;
            return status == NativeStatus.Ok
                ? status
                : Fail(status, $"buffers: the plan has {rows} placement rows and {routeRows} reroute rows; room was given for {placementCapacity} and {reroutesCapacity}");
        }
        catch (PlanningInputException e)
        {
            return Fail(NativeStatus.InvalidInput, $"{e.Field}: {e.Problem}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(NativeStatus.InternalError, e.Message);
        }
    }

    /// <summary>
    /// <c>int32_t planning_last_error(char* buffer, int32_t capacity)</c>: copies the calling thread's last error message
    /// (UTF-8, NUL-terminated, truncated to fit) and returns its full length in bytes; 0 when there is none.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "planning_last_error")]
    public static int LastError(byte* buffer, int capacity)
    {
        var message = t_lastError ?? string.Empty;
        var bytes = Encoding.UTF8.GetBytes(message);
        if (buffer != null && capacity > 0)
        {
            var n = Math.Min(bytes.Length, capacity - 1);
            bytes.AsSpan(0, n).CopyTo(new Span<byte>(buffer, n));
            buffer[n] = 0;
        }

        return bytes.Length;
    }

    /// <summary>
    /// <c>int64_t planning_allocated_bytes(void)</c>: the managed bytes the runtime has allocated so far in this process,
    /// to check that balance calls allocate nothing.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "planning_allocated_bytes")]
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: true);

    /// <summary><c>void planning_destroy(void* handle)</c>: frees a handle; null is ignored.</summary>
    [UnmanagedCallersOnly(EntryPoint = "planning_destroy")]
    public static void Destroy(nint handle)
    {
        if (handle != 0)
        {
            var gc = GCHandle.FromIntPtr(handle);
            if (gc.IsAllocated)
            {
                gc.Free();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryGet(nint handle, out NativePlanner planner)
    {
        if (handle != 0 && GCHandle.FromIntPtr(handle).Target is NativePlanner found)
        {
            planner = found;
            return true;
        }

        planner = null!;
        Fail(NativeStatus.InvalidHandle, "handle: null or not a planner of this library");
        return false;
    }

    private static int Fail(int status, string message)
    {
        t_lastError = message;
        return status;
    }
}
