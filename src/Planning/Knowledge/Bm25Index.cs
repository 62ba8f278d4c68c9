using System.Globalization;

using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;

using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Planning.Knowledge;

/// <summary>
/// The BM25 retriever: a Lucene index beside the database (<c>FILE.bm25/</c>) of each experience's task and plan text
/// (<see cref="Experience.RetrievalText"/>, <see cref="TextAnalysis"/>'s analyzer, <c>BM25Similarity</c> with k1 = 1.2,
/// b = 0.75). It is derived data: each commit's user data records the last SQLite id indexed (<c>lastId</c>). At open,
/// rows after that id are indexed (catch-up); an index that is missing, unreadable, ahead of the database or whose
/// document count does not match the rows up to <c>lastId</c> is deleted and rebuilt from SQLite. Segments merge in
/// order (<c>LogByteSizeMergePolicy</c>), so Lucene's document order is id order and equal scores rank by id.
/// Not thread-safe for writes; searches may run concurrently with each other (Lucene's searcher is thread-safe).
/// </summary>
internal sealed class Bm25Index : IDisposable
{
    private const string IdField = "id";
    private const string LastIdKey = "lastId";

    private readonly LuceneDirectory _directory;
    private readonly IndexWriter _writer;
    private DirectoryReader _reader;
    private IndexSearcher _searcher;

    private Bm25Index(LuceneDirectory directory, IndexWriter writer, long lastId)
    {
        _directory = directory;
        _writer = writer;
        LastId = lastId;
        _reader = DirectoryReader.Open(writer, applyAllDeletes: true);
        _searcher = NewSearcher(_reader);
    }

    /// <summary>The last SQLite id in the index.</summary>
    public long LastId { get; private set; }

    /// <summary>True when the last open rebuilt the index from SQLite (for tests and logs).</summary>
    public bool Rebuilt { get; private set; }

    /// <summary>Opens the index at <paramref name="path"/>, catching up with or rebuilding from <paramref name="store"/>.</summary>
    public static Bm25Index Open(string path, ExperienceStore store)
    {
        Bm25Index? index = TryOpenExisting(path, store);
        bool rebuilt = false;
        if (index is null)
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }

            LuceneDirectory directory = FSDirectory.Open(path);
            IndexWriter writer = new(directory, Config(OpenMode.CREATE));
            writer.Commit();
            index = new Bm25Index(directory, writer, 0);
            rebuilt = true;
        }

        index.Rebuilt = rebuilt;
        const int Chunk = 4096;
        var pending = new List<(long Id, string Text)>(Chunk);
        foreach ((long id, string text) in store.RetrievalTexts(index.LastId))
        {
            pending.Add((id, text));
            if (pending.Count == Chunk)
            {
                index.Add(pending);
                pending.Clear();
            }
        }

        if (pending.Count > 0)
        {
            index.Add(pending);
        }

        return index;
    }

    /// <summary>Indexes documents (ids increasing, above <see cref="LastId"/>), commits with the new last id and refreshes the searcher.</summary>
    public void Add(IReadOnlyList<(long Id, string Text)> documents)
    {
        foreach ((long id, string text) in documents)
        {
            var document = new Document
            {
                new StoredField(IdField, id),
                new TextField(TextAnalysis.TextField, text, Field.Store.NO),
            };
            _writer.AddDocument(document);
        }

        LastId = documents[^1].Id;
        _writer.SetCommitData(new Dictionary<string, string> { [LastIdKey] = LastId.ToString(CultureInfo.InvariantCulture) });
        _writer.Commit();
        DirectoryReader? newer = DirectoryReader.OpenIfChanged(_reader, _writer, applyAllDeletes: true);
        if (newer is not null)
        {
            DirectoryReader old = _reader;
            _reader = newer;
            _searcher = NewSearcher(newer);
            old.Dispose();
        }
    }

    /// <summary>The <paramref name="depth"/> best documents for the query's terms (an OR of them), best first.</summary>
    public List<Candidate> Search(string query, int depth)
    {
        var terms = TextAnalysis.Terms(query).Distinct(StringComparer.Ordinal).Take(BooleanQuery.MaxClauseCount).ToList();
        if (terms.Count == 0)
        {
            return [];
        }

        var boolean = new BooleanQuery();
        foreach (string term in terms)
        {
            boolean.Add(new TermQuery(new Term(TextAnalysis.TextField, term)), Occur.SHOULD);
        }

        IndexSearcher searcher = _searcher;
        TopDocs top = searcher.Search(boolean, depth);
        var candidates = new List<Candidate>(top.ScoreDocs.Length);
        foreach (ScoreDoc hit in top.ScoreDocs)
        {
            long id = searcher.Doc(hit.Doc).GetField(IdField).GetInt64Value()!.Value;
            candidates.Add(new Candidate(id, hit.Score));
        }

        candidates.Sort(TopCandidates.Compare);
        return candidates;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _writer.Dispose();
        _directory.Dispose();
    }

    private static Bm25Index? TryOpenExisting(string path, ExperienceStore store)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return null;
        }

        LuceneDirectory directory = FSDirectory.Open(path);
        IndexWriter? writer = null;
        try
        {
            if (!DirectoryReader.IndexExists(directory))
            {
                directory.Dispose();
                return null;
            }

            writer = new IndexWriter(directory, Config(OpenMode.APPEND));
            long lastId = writer.CommitData.TryGetValue(LastIdKey, out string? text)
                && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) ? parsed : 0;
            var index = new Bm25Index(directory, writer, lastId);
            if (lastId > store.MaxId() || index._reader.NumDocs != store.CountUpTo(lastId))
            {
                index.Dispose();
                return null;
            }

            return index;
        }
        catch (LockObtainFailedException)
        {
            writer?.Dispose();
            directory.Dispose();
            throw new PlanningInputException("db", $"the index '{path}' is locked: another process has this knowledge base open");
        }
        catch (Exception ex) when (ex is IOException or CorruptIndexException or IndexFormatTooOldException or IndexFormatTooNewException or FormatException or InvalidOperationException)
        {
            // Unreadable: rebuilt from SQLite by the caller.
            writer?.Dispose();
            directory.Dispose();
            return null;
        }
    }

    private static IndexWriterConfig Config(OpenMode mode) => new(TextAnalysis.Version, TextAnalysis.Analyzer)
    {
        OpenMode = mode,
        Similarity = new BM25Similarity(),
        MergePolicy = new LogByteSizeMergePolicy(),
    };

    private static IndexSearcher NewSearcher(DirectoryReader reader) => new(reader) { Similarity = new BM25Similarity() };
}
