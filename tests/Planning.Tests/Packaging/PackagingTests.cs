namespace Planning.Tests.Packaging;

/// <summary>
/// The tests that pack the libraries run one after the other: two <c>dotnet pack</c> runs of the same project at once
/// would race on its build outputs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackagingTests
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packaging";
}
