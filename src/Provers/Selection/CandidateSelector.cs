using System.Collections.Immutable;
using System.Diagnostics;

using Planning.Embeddings;
using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Selection;

/// <summary>
/// Chooses one of k candidate formalizations of an informal statement by symbolic equivalence and semantic
/// consistency, after Li et al., "Autoformalize Mathematical Statements by Symbolic Equivalence and Semantic
/// Consistency" (NeurIPS 2024).
/// </summary>
/// <remarks>
/// <para>
/// <b>Symbolic equivalence.</b> The candidates that parse are clustered by proven equivalence
/// (<see cref="StatementEquivalence"/>): a union-find over the candidates, pairs checked in parallel by
/// <see cref="SelectionOptions.Workers"/> workers, each with its own backend from the factory, and a pair skipped when
/// its two candidates are already joined. Statements identical up to the theorem name are joined without a check.
/// Only an <see cref="EquivalenceVerdict.Equivalent"/> verdict joins; the partition is the connected components of the
/// proven pairs and does not depend on thread timing (the skipped pairs could not change it). The raw symbolic score
/// of a candidate is <c>|cluster| / k</c>, k counting every candidate, parsed or not.
/// </para>
/// <para>
/// <b>Semantic consistency.</b> Each parsed candidate is informalized (<see cref="IInformalizer"/>), and the raw
/// semantic score is the cosine similarity of the embeddings (<see cref="IEmbedder"/>) of the informal statement and
/// of the informalization.
/// </para>
/// <para>
/// <b>Combination.</b> Both raw scores are softmax-normalised over the parsed candidates,
/// <c>p_i = exp(s_i) / Σ_j exp(s_j)</c> and <c>q_i = exp(t_i) / Σ_j exp(t_j)</c>, and combined with weight
/// α = <see cref="SelectionOptions.Alpha"/>: log-comb <c>α log p + (1 − α) log q</c>, linear-comb
/// <c>α p + (1 − α) q</c>, or quad-comb <c>α p² + (1 − α) q²</c> (<see cref="ScoreCombination"/>). The candidate with
/// the highest combined score is selected, the lowest index among equals. A candidate that does not parse has no score,
/// forms a cluster of its own and is never selected; when none parses the result has <c>Selected = -1</c>.
/// </para>
/// <para>
/// A selector holds no per-call state: <see cref="Select(string, IReadOnlyList{string}, CancellationToken)"/> may run
/// on several threads at once when the embedder allows it (<see cref="MiniLmEmbedder"/> does). Backends are created per
/// call, one per worker that has a pair to check, and disposed at the end of the call. The embedder is the caller's to
/// dispose.
/// </para>
/// </remarks>
public sealed class CandidateSelector
{
    private readonly Func<IPairEquivalence> _proverFactory;
    private readonly IEmbedder _embedder;
    private readonly IInformalizer _informalizer;
    private readonly SelectionOptions _options;

    /// <summary>Creates a selector that proves equivalences with <see cref="StatementEquivalence"/>.</summary>
    /// <param name="backendFactory">Creates a backend for one worker (for example <c>() =&gt; new Z3InProcessBackend()</c>); each is used by one thread and disposed by the selector.</param>
    /// <param name="embedder">The sentence embedder, for example a <see cref="MiniLmEmbedder"/>.</param>
    /// <param name="informalizer">The informalizer; a <see cref="RuleInformalizer"/> when null.</param>
    /// <param name="options">The settings; <see cref="SelectionOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="backendFactory"/> or <paramref name="embedder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">α is outside [0, 1], the combination is unknown, or there are fewer than one worker.</exception>
    public CandidateSelector(Func<ISmtBackend> backendFactory, IEmbedder embedder, IInformalizer? informalizer = null, SelectionOptions? options = null)
        : this(ProverFactory(backendFactory, options ?? SelectionOptions.Default), embedder, informalizer, options)
    {
    }

    /// <summary>Creates a selector over any pairwise prover (tests use stubs).</summary>
    internal CandidateSelector(Func<IPairEquivalence> proverFactory, IEmbedder embedder, IInformalizer? informalizer, SelectionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(proverFactory);
        ArgumentNullException.ThrowIfNull(embedder);
        options ??= SelectionOptions.Default;
        if (!(options.Alpha >= 0 && options.Alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Alpha, "alpha must lie in [0, 1]");
        }

        if (!Enum.IsDefined(options.Combination))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Combination, "unknown score combination");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1, nameof(options));
        _proverFactory = proverFactory;
        _embedder = embedder;
        _informalizer = informalizer ?? new RuleInformalizer();
        _options = options;
    }

    /// <summary>The settings in use.</summary>
    public SelectionOptions Options => _options;

    /// <summary>Parses the candidates as Lean statements and selects one (see the class remarks).</summary>
    /// <param name="informal">The informal statement the candidates formalize.</param>
    /// <param name="candidates">The candidates' Lean text; those that do not parse are reported and never selected.</param>
    /// <param name="cancellationToken">Stops the selection between equivalence checks.</param>
    /// <returns>The selection, clusters and scores.</returns>
    /// <exception cref="ArgumentNullException">An argument or a candidate is null.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public SelectionResult Select(string informal, IReadOnlyList<string> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(informal);
        ArgumentNullException.ThrowIfNull(candidates);
        long start = Stopwatch.GetTimestamp();
        FormalParseResult[] parsed = new FormalParseResult[candidates.Count];
        for (int i = 0; i < parsed.Length; i++)
        {
            string text = candidates[i] ?? throw new ArgumentNullException(nameof(candidates), $"candidate {i} is null");
            parsed[i] = LeanStatementParser.TryParse(text);
        }

        return Run(
            informal,
            [.. parsed.Select(static result => result.Statement)],
            [.. parsed.Select(static result => result.Error?.Message)],
            start,
            cancellationToken);
    }

    /// <summary>Selects one of already parsed candidates (see the class remarks).</summary>
    /// <param name="informal">The informal statement the candidates formalize.</param>
    /// <param name="candidates">The candidates.</param>
    /// <param name="cancellationToken">Stops the selection between equivalence checks.</param>
    /// <returns>The selection, clusters and scores.</returns>
    /// <exception cref="ArgumentNullException">An argument or a candidate is null.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public SelectionResult Select(string informal, IReadOnlyList<FormalStatement> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(informal);
        ArgumentNullException.ThrowIfNull(candidates);
        long start = Stopwatch.GetTimestamp();
        FormalStatement?[] statements = new FormalStatement?[candidates.Count];
        for (int i = 0; i < statements.Length; i++)
        {
            statements[i] = candidates[i] ?? throw new ArgumentNullException(nameof(candidates), $"candidate {i} is null");
        }

        return Run(informal, statements, new string?[statements.Length], start, cancellationToken);
    }

    private SelectionResult Run(
        string informal, FormalStatement?[] statements, string?[] parseErrors, long start, CancellationToken cancellationToken)
    {
        int k = statements.Length;
        ClusteringOutcome clustering = CandidateClustering.Cluster(statements, _proverFactory, _options.Workers, cancellationToken);

        string?[] informalizations = new string?[k];
        List<string> texts = [informal];
        for (int i = 0; i < k; i++)
        {
            if (statements[i] is { } statement)
            {
                informalizations[i] = _informalizer.Informalize(statement);
                texts.Add(informalizations[i]!);
            }
        }

        bool[] valid = [.. statements.Select(static statement => statement is not null)];
        double[] symbolic = new double[k];
        double[] semantic = new double[k];
        if (texts.Count > 1)
        {
            IReadOnlyList<float[]> vectors = _embedder.EmbedAll(texts);
            if (vectors.Count != texts.Count)
            {
                throw new InvalidOperationException($"the embedder returned {vectors.Count} vectors for {texts.Count} texts");
            }

            int next = 1;
            for (int i = 0; i < k; i++)
            {
                if (valid[i])
                {
                    symbolic[i] = (double)clustering.Sets.SizeOf(i) / k;
                    semantic[i] = VectorSimilarity.Cosine(vectors[0], vectors[next++]);
                }
            }
        }

        ImmutableArray<CandidateScore?> scores = SelectionScoring.Score(symbolic, semantic, valid, _options.Combination, _options.Alpha);
        return new SelectionResult(
            SelectionScoring.Best(scores),
            clustering.Sets.Sets(),
            scores,
            [.. parseErrors],
            [.. informalizations],
            clustering.Checks,
            clustering.Skipped,
            clustering.Identical,
            Stopwatch.GetElapsedTime(start));
    }

    private static Func<IPairEquivalence> ProverFactory(Func<ISmtBackend> backendFactory, SelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(backendFactory);
        EquivalenceOptions equivalence = options.Equivalence ?? EquivalenceOptions.Default;
        return () => new ProverPairEquivalence(
            backendFactory() ?? throw new InvalidOperationException("the backend factory returned null"), equivalence);
    }
}
