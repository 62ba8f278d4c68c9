namespace Planning.Provers;

/// <summary>Seeded pseudo-random generators for the searches and the benchmark's edits, one stream per purpose (salt).</summary>
internal static class SeededRandom
{
    /// <summary>A generator derived from a seed and a salt (deterministic across runs and platforms).</summary>
    /// <param name="seed">The caller's seed.</param>
    /// <param name="salt">Which stream: different purposes with one seed get unrelated sequences.</param>
    /// <returns>The generator.</returns>
    public static Random Create(int seed, int salt)
    {
        unchecked
        {
            uint mixed = ((uint)seed * 2654435761u) ^ ((uint)salt * 40503u) ^ 0x9E3779B9u;
            return new Random((int)(mixed & 0x7FFFFFFF));
        }
    }
}
