namespace Planning.Knowledge;

/// <summary>
/// The dense retriever: unit vectors in one contiguous array, scored by dot product (= cosine). Up to
/// <see cref="KnowledgeBaseOptions.ExactDenseLimit"/> vectors every query scores every vector (exact); above it an
/// <see cref="IvfIndex"/> is trained and a query scans only the lists of its nearest centres. The IVF index is retrained
/// when the collection has doubled since it was trained; vectors added in between join their nearest list. Not
/// thread-safe: the knowledge base reads it under a read lock and changes it under the write lock.
/// </summary>
internal sealed class DenseIndex
{
    private readonly KnowledgeBaseOptions _options;
    private float[] _vectors;
    private long[] _ids;

    public DenseIndex(int dimensions, KnowledgeBaseOptions options)
    {
        Dimensions = dimensions;
        _options = options;
        _vectors = new float[Math.Max(1, dimensions) * 1024];
        _ids = new long[1024];
    }

    /// <summary>The vector length.</summary>
    public int Dimensions { get; }

    /// <summary>The number of vectors.</summary>
    public int Count { get; private set; }

    /// <summary>The IVF index, or null while the collection is searched exactly.</summary>
    public IvfIndex? Ivf { get; private set; }

    /// <summary>Adds vectors (normalised here) with their ids, in increasing id order, and retrains the IVF index when due.</summary>
    public void Add(IReadOnlyList<long> ids, IReadOnlyList<float[]> vectors)
    {
        int first = Count;
        for (int i = 0; i < ids.Count; i++)
        {
            if (vectors[i].Length != Dimensions)
            {
                throw new PlanningInputException("embedding", $"the embedder returned {vectors[i].Length} components, the store holds {Dimensions}");
            }

            EnsureCapacity(Count + 1);
            VectorMath.Normalized(vectors[i]).CopyTo(_vectors.AsSpan(Count * Dimensions, Dimensions));
            _ids[Count] = ids[i];
            Count++;
        }

        if (Count > _options.ExactDenseLimit && (Ivf is null || Count >= 2 * Ivf.TrainedCount))
        {
            Ivf = IvfIndex.Train(_vectors.AsMemory(0, Count * Dimensions), Dimensions, _options.IvfLists, _options.IvfSeed);
        }
        else if (Ivf is not null)
        {
            for (int row = first; row < Count; row++)
            {
                Ivf.Assign(_vectors.AsSpan(row * Dimensions, Dimensions), row);
            }
        }
    }

    /// <summary>The <paramref name="depth"/> vectors nearest to <paramref name="query"/> (normalised here), best first.</summary>
    public List<Candidate> Search(ReadOnlySpan<float> query, int depth) =>
        Ivf is null ? SearchExact(query, depth) : SearchIvf(query, depth, Probes());

    /// <summary>The exact answer: every vector scored.</summary>
    public List<Candidate> SearchExact(ReadOnlySpan<float> query, int depth)
    {
        float[] unit = VectorMath.Normalized(query);
        var top = new TopCandidates(depth);
        for (int row = 0; row < Count; row++)
        {
            top.Offer(_ids[row], VectorMath.Dot(unit, _vectors.AsSpan(row * Dimensions, Dimensions)));
        }

        return top.ToList();
    }

    /// <summary>The IVF answer: the vectors of the <paramref name="probes"/> lists whose centres are nearest, scored.</summary>
    public List<Candidate> SearchIvf(ReadOnlySpan<float> query, int depth, int probes)
    {
        IvfIndex ivf = Ivf ?? throw new InvalidOperationException("no IVF index: the collection is searched exactly");
        float[] unit = VectorMath.Normalized(query);
        var top = new TopCandidates(depth);
        foreach (int list in ivf.NearestLists(unit, probes))
        {
            foreach (int row in ivf.Members(list))
            {
                top.Offer(_ids[row], VectorMath.Dot(unit, _vectors.AsSpan(row * Dimensions, Dimensions)));
            }
        }

        return top.ToList();
    }

    /// <summary>The probes a query scans: <see cref="KnowledgeBaseOptions.IvfProbes"/>, or max(8, ceil(lists / 8)).</summary>
    public int Probes()
    {
        int lists = Ivf?.Lists ?? 0;
        int probes = _options.IvfProbes > 0 ? _options.IvfProbes : Math.Max(8, (lists + 7) / 8);
        return Math.Min(probes, Math.Max(1, lists));
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _ids.Length)
        {
            return;
        }

        int capacity = Math.Max(rows, _ids.Length * 2);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _vectors, capacity * Dimensions);
    }
}
