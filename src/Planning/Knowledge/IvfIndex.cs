namespace Planning.Knowledge;

/// <summary>
/// An inverted-file (IVF-flat) index over unit vectors: spherical k-means centres (Lloyd iterations on dot products,
/// centres renormalised), each vector in the list of its nearest centre, a query scanning the lists of its nearest
/// centres exactly. Training is deterministic for a seed: the initial centres are distinct vectors drawn by a seeded
/// shuffle of a training sample (at most 64 vectors per list), then <see cref="Iterations"/> Lloyd steps; an emptied list
/// takes the sample vector farthest from its centre.
/// </summary>
/// <remarks>
/// Each list keeps a copy of its members' vectors, contiguous, beside their rows: a query reads the lists it probes
/// sequentially instead of gathering rows from the whole collection, which made a scan cost about 3.4 times as much
/// per vector as the exact scan (100k MiniLM vectors, 2026-12-07). The price is a second copy of every vector above
/// <see cref="KnowledgeBaseOptions.ExactDenseLimit"/> (1.5 KB per 384-component vector).
/// </remarks>
internal sealed class IvfIndex
{
    /// <summary>The Lloyd iterations of training.</summary>
    public const int Iterations = 10;

    /// <summary>The training sample's size per list.</summary>
    public const int SamplePerList = 64;

    private readonly float[] _centres;
    private readonly InvertedList[] _members;
    private readonly int _dimensions;

    private IvfIndex(float[] centres, int lists, int dimensions, int trainedCount)
    {
        _centres = centres;
        _dimensions = dimensions;
        Lists = lists;
        TrainedCount = trainedCount;
        _members = new InvertedList[lists];
        for (int i = 0; i < lists; i++)
        {
            _members[i] = new InvertedList(dimensions);
        }
    }

    /// <summary>The number of lists.</summary>
    public int Lists { get; }

    /// <summary>The number of vectors when the index was trained.</summary>
    public int TrainedCount { get; }

    /// <summary>
    /// Trains on <paramref name="vectors"/> (rows of <paramref name="dimensions"/> unit vectors) and assigns every row.
    /// </summary>
    /// <param name="vectors">The rows.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="lists">The number of lists; 0 for round(sqrt(n)).</param>
    /// <param name="seed">The seed.</param>
    public static IvfIndex Train(ReadOnlyMemory<float> vectors, int dimensions, int lists, int seed)
    {
        int count = vectors.Length / dimensions;
        int k = Math.Clamp(lists > 0 ? lists : (int)Math.Round(Math.Sqrt(count)), 1, count);
        var random = new Random(seed);
        int[] order = [.. Enumerable.Range(0, count)];
        int sampleSize = Math.Min(count, k * SamplePerList);
        for (int i = 0; i < sampleSize; i++)
        {
            int j = random.Next(i, count);
            (order[i], order[j]) = (order[j], order[i]);
        }

        int[] sample = order[..sampleSize];
        Array.Sort(sample);
        float[] centres = new float[k * dimensions];
        int[] initial = [.. sample];
        for (int i = 0; i < k; i++)
        {
            int j = random.Next(i, initial.Length);
            (initial[i], initial[j]) = (initial[j], initial[i]);
            vectors.Span.Slice(initial[i] * dimensions, dimensions).CopyTo(centres.AsSpan(i * dimensions, dimensions));
        }

        int[] assignment = new int[sampleSize];
        double[] similarity = new double[sampleSize];
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            Parallel.For(0, sampleSize, s =>
            {
                (assignment[s], similarity[s]) = Nearest(centres, k, dimensions, vectors.Span.Slice(sample[s] * dimensions, dimensions));
            });

            double[] sums = new double[k * dimensions];
            int[] sizes = new int[k];
            for (int s = 0; s < sampleSize; s++)
            {
                int c = assignment[s];
                sizes[c]++;
                ReadOnlySpan<float> row = vectors.Span.Slice(sample[s] * dimensions, dimensions);
                for (int d = 0; d < dimensions; d++)
                {
                    sums[(c * dimensions) + d] += row[d];
                }
            }

            bool[] taken = new bool[sampleSize];
            for (int c = 0; c < k; c++)
            {
                Span<float> centre = centres.AsSpan(c * dimensions, dimensions);
                if (sizes[c] == 0)
                {
                    // The sample vector farthest from its centre (the lowest similarity, then the lowest index) that no
                    // other emptied list took.
                    int farthest = -1;
                    for (int s = 0; s < sampleSize; s++)
                    {
                        if (!taken[s] && (farthest < 0 || similarity[s] < similarity[farthest]))
                        {
                            farthest = s;
                        }
                    }

                    taken[farthest] = true;
                    vectors.Span.Slice(sample[farthest] * dimensions, dimensions).CopyTo(centre);
                    continue;
                }

                double norm = 0;
                for (int d = 0; d < dimensions; d++)
                {
                    norm += sums[(c * dimensions) + d] * sums[(c * dimensions) + d];
                }

                norm = Math.Sqrt(norm);
                for (int d = 0; d < dimensions; d++)
                {
                    centre[d] = norm > 0 ? (float)(sums[(c * dimensions) + d] / norm) : 0;
                }
            }
        }

        var index = new IvfIndex(centres, k, dimensions, count);
        int[] all = new int[count];
        Parallel.For(0, count, row => all[row] = Nearest(centres, k, dimensions, vectors.Span.Slice(row * dimensions, dimensions)).List);
        for (int row = 0; row < count; row++)
        {
            index._members[all[row]].Add(row, vectors.Span.Slice(row * dimensions, dimensions));
        }

        return index;
    }

    /// <summary>Puts row <paramref name="row"/> (vector <paramref name="vector"/>) in the list of its nearest centre.</summary>
    public void Assign(ReadOnlySpan<float> vector, int row) => _members[Nearest(_centres, Lists, _dimensions, vector).List].Add(row, vector);

    /// <summary>The rows of one list, in the order they joined it.</summary>
    public ReadOnlySpan<int> MemberRows(int list) => _members[list].Rows;

    /// <summary>The vectors of one list's rows, in the order of <see cref="MemberRows"/>, contiguous.</summary>
    public ReadOnlySpan<float> MemberVectors(int list) => _members[list].Vectors;

    /// <summary>The <paramref name="probes"/> lists whose centres have the highest dot product with the query.</summary>
    public IEnumerable<int> NearestLists(ReadOnlySpan<float> query, int probes)
    {
        var top = new TopCandidates(probes);
        for (int c = 0; c < Lists; c++)
        {
            top.Offer(c, VectorMath.Dot(query, _centres.AsSpan(c * _dimensions, _dimensions)));
        }

        return top.ToList().Select(static candidate => (int)candidate.Id);
    }

    private static (int List, double Similarity) Nearest(float[] centres, int k, int dimensions, ReadOnlySpan<float> vector)
    {
        int best = 0;
        float bestDot = float.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            float dot = VectorMath.Dot(vector, centres.AsSpan(c * dimensions, dimensions));
            if (dot > bestDot)
            {
                (best, bestDot) = (c, dot);
            }
        }

        return (best, bestDot);
    }

    /// <summary>One list: its rows and a contiguous copy of their vectors, grown by doubling.</summary>
    private sealed class InvertedList(int dimensions)
    {
        private int[] _rows = new int[4];
        private float[] _vectors = new float[4 * dimensions];

        public int Count { get; private set; }

        public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

        public ReadOnlySpan<float> Vectors => _vectors.AsSpan(0, Count * dimensions);

        public void Add(int row, ReadOnlySpan<float> vector)
        {
            if (Count == _rows.Length)
            {
                Array.Resize(ref _rows, Count * 2);
                Array.Resize(ref _vectors, Count * 2 * dimensions);
            }

            _rows[Count] = row;
            vector.CopyTo(_vectors.AsSpan(Count * dimensions, dimensions));
            Count++;
        }
    }
}
