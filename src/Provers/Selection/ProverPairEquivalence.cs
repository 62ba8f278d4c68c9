using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Selection;

/// <summary>
/// A <see cref="StatementEquivalence"/> over a backend it owns: only an <see cref="EquivalenceVerdict.Equivalent"/> verdict
/// counts, and for two closed statements only identical translations.
/// </summary>
internal sealed class ProverPairEquivalence : IPairEquivalence
{
    private readonly ISmtBackend _backend;
    private readonly StatementEquivalence _equivalence;

    public ProverPairEquivalence(ISmtBackend backend, EquivalenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _equivalence = new StatementEquivalence(backend, options with { CheckAsTheorems = false });
    }

    public bool ProvesEquivalent(FormalStatement first, FormalStatement second)
    {
        // Two closed statements are equivalent as truth values: two different true facts would count as one
        // formalization, so a closed pair counts only when the translations are identical.
        EquivalenceResult result = _equivalence.Check(first, second);
        return result.Verdict == EquivalenceVerdict.Equivalent && (!result.Closed || result.Identical);
    }

    public void Dispose()
    {
        _backend.Dispose();
    }
}
