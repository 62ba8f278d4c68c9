using Planning.Provers.Equivalence;
using Planning.Provers.Formal;
using Planning.Provers.Smt;

namespace Planning.Provers.Selection;

/// <summary>A <see cref="StatementEquivalence"/> over a backend it owns: only an <see cref="EquivalenceVerdict.Equivalent"/> verdict counts.</summary>
internal sealed class ProverPairEquivalence : IPairEquivalence
{
    private readonly ISmtBackend _backend;
    private readonly StatementEquivalence _equivalence;

    public ProverPairEquivalence(ISmtBackend backend, EquivalenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _equivalence = new StatementEquivalence(backend, options);
    }

    public bool ProvesEquivalent(FormalStatement first, FormalStatement second)
    {
        return _equivalence.Check(first, second).Verdict == EquivalenceVerdict.Equivalent;
    }

    public void Dispose()
    {
        _backend.Dispose();
    }
}
