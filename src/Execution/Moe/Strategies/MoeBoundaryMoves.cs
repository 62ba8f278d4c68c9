using System.Collections.Immutable;

namespace Planning.Execution.Moe.Strategies;

/// <summary>Moves a strategy makes between microbatches (masters reordered across domains at a batch boundary). Immutable.</summary>
/// <param name="SecondsPerLayer">Per layer, the moves' time, charged in full to the microbatch that follows.</param>
/// <param name="Bytes">The bytes moved, over every layer.</param>
internal sealed record MoeBoundaryMoves(ImmutableArray<double> SecondsPerLayer, long Bytes);
