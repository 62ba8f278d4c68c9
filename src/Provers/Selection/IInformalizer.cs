using Planning.Provers.Formal;

namespace Planning.Provers.Selection;

/// <summary>Turns a formal statement back into natural language ("informalization"), for comparison with the informal original.</summary>
public interface IInformalizer
{
    /// <summary>Describes the statement in plain English.</summary>
    /// <param name="statement">A parsed statement.</param>
    /// <returns>The English text; never empty.</returns>
    string Informalize(FormalStatement statement);
}
