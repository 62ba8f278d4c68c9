namespace Planning.Knowledge;

/// <summary>One retriever's candidate: an experience id and that retriever's score.</summary>
internal readonly record struct Candidate(long Id, double Score);

/// <summary>
/// Keeps the best <c>capacity</c> candidates offered, best first: higher score, then lower id (so equal scores rank
/// in ingest order and the result never depends on the order candidates were offered in).
/// </summary>
internal sealed class TopCandidates
{
    private readonly int _capacity;
    private readonly PriorityQueue<Candidate, Candidate> _worstFirst;

    public TopCandidates(int capacity)
    {
        _capacity = capacity;
        _worstFirst = new PriorityQueue<Candidate, Candidate>(capacity + 1, Comparer<Candidate>.Create(static (a, b) => Compare(b, a)));
    }

    /// <summary>Orders candidates best first (negative when <paramref name="first"/> ranks above <paramref name="second"/>).</summary>
    public static int Compare(Candidate first, Candidate second)
    {
        int byScore = second.Score.CompareTo(first.Score);
        return byScore != 0 ? byScore : first.Id.CompareTo(second.Id);
    }

    public void Offer(long id, double score)
    {
        var candidate = new Candidate(id, score);
        if (_worstFirst.Count < _capacity)
        {
            _worstFirst.Enqueue(candidate, candidate);
            return;
        }

        if (_capacity > 0 && Compare(candidate, _worstFirst.Peek()) < 0)
        {
            _worstFirst.DequeueEnqueue(candidate, candidate);
        }
    }

    /// <summary>The kept candidates, best first.</summary>
    public List<Candidate> ToList()
    {
        var list = new List<Candidate>(_worstFirst.UnorderedItems.Select(static item => item.Element));
        list.Sort(Compare);
        return list;
    }
}
