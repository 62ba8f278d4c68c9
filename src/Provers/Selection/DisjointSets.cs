using System.Collections.Immutable;

namespace Planning.Provers.Selection;

/// <summary>
/// Union-find over the integers 0 … n-1 with union by size and path halving. Not thread-safe (<see cref="Find"/>
/// compresses paths): callers that share an instance lock around every call.
/// </summary>
internal sealed class DisjointSets
{
    private readonly int[] _parent;
    private readonly int[] _size;

    /// <summary>Creates <paramref name="count"/> singleton sets.</summary>
    public DisjointSets(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _parent = new int[count];
        _size = new int[count];
        for (int i = 0; i < count; i++)
        {
            _parent[i] = i;
            _size[i] = 1;
        }

        SetCount = count;
    }

    /// <summary>The number of elements.</summary>
    public int Count => _parent.Length;

    /// <summary>The number of disjoint sets.</summary>
    public int SetCount { get; private set; }

    /// <summary>The representative of the set holding <paramref name="element"/>.</summary>
    public int Find(int element)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(element);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(element, Count);
        while (_parent[element] != element)
        {
            _parent[element] = _parent[_parent[element]];
            element = _parent[element];
        }

        return element;
    }

    /// <summary>Whether the two elements are in one set.</summary>
    public bool Connected(int first, int second)
    {
        return Find(first) == Find(second);
    }

    /// <summary>Merges the sets of the two elements.</summary>
    /// <returns><see langword="true"/> when they were in different sets.</returns>
    public bool Union(int first, int second)
    {
        int a = Find(first);
        int b = Find(second);
        if (a == b)
        {
            return false;
        }

        if (_size[a] < _size[b])
        {
            (a, b) = (b, a);
        }

        _parent[b] = a;
        _size[a] += _size[b];
        SetCount--;
        return true;
    }

    /// <summary>The size of the set holding <paramref name="element"/>.</summary>
    public int SizeOf(int element)
    {
        return _size[Find(element)];
    }

    /// <summary>
    /// The sets, each sorted ascending, ordered by their smallest element: a canonical form that depends only on the
    /// partition, not on the order of the unions.
    /// </summary>
    public ImmutableArray<ImmutableArray<int>> Sets()
    {
        Dictionary<int, List<int>> byRoot = [];
        List<List<int>> ordered = [];
        for (int i = 0; i < Count; i++)
        {
            int root = Find(i);
            if (!byRoot.TryGetValue(root, out List<int>? members))
            {
                members = [];
                byRoot.Add(root, members);
                ordered.Add(members);
            }

            members.Add(i);
        }

        return [.. ordered.Select(static members => members.ToImmutableArray())];
    }
}
