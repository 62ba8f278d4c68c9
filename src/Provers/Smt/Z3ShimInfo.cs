namespace Planning.Provers.Smt;

/// <summary>What the native Z3 shim reports about itself.</summary>
/// <param name="Version">The shim's version string.</param>
/// <param name="RealLibraryPath">The file of the real Z3 library the shim forwards to; empty when it could not be loaded.</param>
/// <param name="LoadError">Why the real library could not be loaded; null when it was.</param>
/// <param name="InternalBindings">
/// How many of the real library's own references to its exported Z3_* functions (PLT and GOT relocations) were found;
/// 0 when it is not loaded.
/// </param>
/// <param name="InternalBindingsToShim">
/// How many of those are bound to the shim rather than to the real library. Must be 0: otherwise libz3's internal calls
/// would run the shim's overrides (it is, when the real library is loaded in a lookup scope of its own).
/// </param>
/// <param name="Statistics">The shim's counters.</param>
internal sealed record Z3ShimInfo(string Version, string RealLibraryPath, string? LoadError, int InternalBindings, int InternalBindingsToShim, Z3ShimStatistics Statistics);
