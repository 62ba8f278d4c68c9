namespace Planning.Provers.Smt;

/// <summary>Counters kept by the native Z3 shim since the process loaded it (see src/Provers/Native/README.md).</summary>
/// <param name="ContextsCreated">Z3 contexts created.</param>
/// <param name="ContextsDeleted">Z3 contexts deleted.</param>
/// <param name="ReleasedDirectly">Releases (<c>*_dec_ref</c>, <c>Z3_del_constructor[_list]</c>) applied at once, by the context's user thread.</param>
/// <param name="ReleasesQueued">Releases from other threads (finalizers) queued for the context's user thread.</param>
/// <param name="QueuedReleasesApplied">Queued releases applied (at a later <c>*_inc_ref</c> or at <c>Z3_del_context</c>).</param>
/// <param name="ReleasesDropped">Releases for a NULL or deleted context, not applied (the object went with its context).</param>
/// <param name="DeclKindsRenumbered"><c>Z3_get_decl_kind</c> results renumbered to Z3 4.12's numbering.</param>
/// <param name="ContextsAlive">Contexts alive now.</param>
/// <param name="ReleasesPending">Releases queued now, not yet applied.</param>
internal sealed record Z3ShimStatistics(
    ulong ContextsCreated,
    ulong ContextsDeleted,
    ulong ReleasedDirectly,
    ulong ReleasesQueued,
    ulong QueuedReleasesApplied,
    ulong ReleasesDropped,
    ulong DeclKindsRenumbered,
    ulong ContextsAlive,
    ulong ReleasesPending);
