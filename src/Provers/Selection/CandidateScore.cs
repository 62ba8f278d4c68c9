namespace Planning.Provers.Selection;

/// <summary>The scores of one candidate that parsed (see <see cref="CandidateSelector"/> for the definitions).</summary>
/// <param name="Symbolic">The raw symbolic score: the size of the candidate's equivalence cluster divided by k, the number of candidates (parsed or not).</param>
/// <param name="Semantic">The raw semantic score: the cosine similarity of the embeddings of the informal statement and of the candidate's informalization, in [-1, 1].</param>
/// <param name="NormalizedSymbolic">The softmax of <paramref name="Symbolic"/> over the candidates that parsed, in (0, 1).</param>
/// <param name="NormalizedSemantic">The softmax of <paramref name="Semantic"/> over the candidates that parsed, in (0, 1).</param>
/// <param name="Combined">The two normalised scores combined by <see cref="SelectionOptions.Combination"/>; the candidate with the highest is selected.</param>
public sealed record CandidateScore(double Symbolic, double Semantic, double NormalizedSymbolic, double NormalizedSemantic, double Combined);
