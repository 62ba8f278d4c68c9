namespace Planning.Knowledge.Evaluation;

/// <summary>
/// One query of a labelled retrieval set, with the ids of the experiences relevant to it. JSON shape:
/// <see cref="LabelledQueryJson"/>.
/// </summary>
/// <param name="Id">The query's name, unique in its set (such as <c>q0042</c>).</param>
/// <param name="Query">The query text: a task in other words than the relevant experiences'.</param>
/// <param name="Relevant">The ids of the relevant experiences (at least one, no repeats).</param>
/// <param name="Variations">
/// How the query was derived from the task (for a generated set: any of <c>synonyms</c>, <c>reorder</c>, <c>drop</c>,
/// <c>surface</c>), so that results can be broken down by kind; possibly empty.
/// </param>
/// <param name="Plan">The agent's current plan, for the feedback stage (possibly empty).</param>
/// <param name="Summary">The agent's execution summary, for the feedback stage (possibly empty).</param>
public sealed record LabelledQuery(
    string Id, string Query, IReadOnlyList<long> Relevant, IReadOnlyList<string> Variations, IReadOnlyList<string> Plan, string Summary);

/// <summary>A labelled retrieval set: the experiences, in the order that gives them ids 1, 2, ..., and the queries.</summary>
/// <param name="Experiences">The experiences; the i-th (from 0) has id i + 1 once ingested into an empty knowledge base.</param>
/// <param name="Queries">The labelled queries; their relevant ids refer to <paramref name="Experiences"/>.</param>
public sealed record EvaluationSet(IReadOnlyList<Experience> Experiences, IReadOnlyList<LabelledQuery> Queries);
