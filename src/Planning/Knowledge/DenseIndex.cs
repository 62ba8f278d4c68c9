namespace Planning.Knowledge;

/// <summary>
/// The dense retriever: unit vectors in one contiguous array (and, above the exact limit, a copy in the IVF lists),
/// scored by dot product (= cosine). Up to
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
        Append(ids, vectors, assign: true);
        if (TrainingDue)
        {
            Install(TrainNew());
        }
    }

    /// <summary>
    /// Adds vectors (normalised here) with their ids, in increasing id order; with <paramref name="assign"/> they also
    /// join the current IVF index's lists. Loading at open appends without assigning and calls <see cref="Train"/>
    /// once at the end.
    /// </summary>
    public void Append(IReadOnlyList<long> ids, IReadOnlyList<float[]> vectors, bool assign)
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

        if (assign && Ivf is not null)
        {
            for (int row = first; row < Count; row++)
            {
                Ivf.Assign(_vectors.AsSpan(row * Dimensions, Dimensions), row);
            }
        }
    }

    /// <summary>
    /// Whether the IVF index should be (re)trained: the collection is above the exact limit and has no IVF index, or
    /// has doubled since it was trained.
    /// </summary>
    public bool TrainingDue => Count > _options.ExactDenseLimit && (Ivf is null || Count >= 2 * Ivf.TrainedCount);

    /// <summary>
    /// Trains a new IVF index on the current vectors without changing this index: it only reads rows, which never
    /// change once appended, so searches may run meanwhile (the knowledge base calls it outside the write lock, with
    /// ingests held back).
    /// </summary>
    public IvfIndex TrainNew() => IvfIndex.Train(_vectors.AsMemory(0, Count * Dimensions), Dimensions, _options.IvfLists, _options.IvfSeed);

    /// <summary>Makes <paramref name="ivf"/> the index, first assigning the rows appended after it was trained.</summary>
    public void Install(IvfIndex ivf)
    {
        for (int row = ivf.TrainedCount; row < Count; row++)
        {
            ivf.Assign(_vectors.AsSpan(row * Dimensions, Dimensions), row);
        }

        Ivf = ivf;
    }

    /// <summary>Trains the IVF index on every vector when the collection is above the exact limit (else drops it).</summary>
    public void Train() => Ivf = Count > _options.ExactDenseLimit ? TrainNew() : null;

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
            ReadOnlySpan<int> rows = ivf.MemberRows(list);
            ReadOnlySpan<float> vectors = ivf.MemberVectors(list);
            for (int member = 0; member < rows.Length; member++)
            {
                top.Offer(_ids[rows[member]], VectorMath.Dot(unit, vectors.Slice(member * Dimensions, Dimensions)));
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
