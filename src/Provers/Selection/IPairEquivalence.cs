using Planning.Provers.Formal;

namespace Planning.Provers.Selection;

/// <summary>
/// One worker's equivalence prover for the clustering: used by one thread at a time, disposed by the worker that
/// created it. The production implementation is <see cref="ProverPairEquivalence"/>; tests substitute their own.
/// </summary>
internal interface IPairEquivalence : IDisposable
{
    /// <summary>Whether the two statements are proven equivalent; <see langword="false"/> for refuted and for unknown.</summary>
    bool ProvesEquivalent(FormalStatement first, FormalStatement second);
}
