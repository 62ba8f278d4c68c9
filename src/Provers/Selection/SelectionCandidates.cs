using System.Collections.Immutable;

namespace Planning.Provers.Selection;

/// <summary>
/// The input of a selection (CANDIDATES.json of <c>plan formal select</c>): an informal statement and k candidate
/// formalizations of it as Lean text; read by <see cref="SelectionJson.ReadCandidates"/>.
/// </summary>
/// <param name="Informal">The informal statement, in words.</param>
/// <param name="Statements">The candidate Lean statements, in order (their indices are the selection's).</param>
public sealed record SelectionCandidates(string Informal, ImmutableArray<string> Statements);
