namespace Planning.Knowledge;

/// <summary>
/// Similarity of two plans' step sets, the disagreement gate's measure of "the same approach": the symmetric mean of
/// best-match cosines, (mean over a's steps of the best cosine to any of b's steps + the same from b to a) / 2, where a
/// step's cosine is that of its stemmed term counts (<see cref="TextAnalysis"/>). 1 for the same steps in any order, 0
/// for steps without a shared term. Lexical, not MiniLM: per-step vectors would cost one model call per step of every
/// retrieved item at query time (or storing a vector per step), where term counts cost microseconds.
/// </summary>
internal static class StepSets
{
    /// <summary>The term vectors of a plan's steps.</summary>
    public static TermVector[] Vectors(IReadOnlyList<string> steps)
    {
        var vectors = new TermVector[steps.Count];
        for (int i = 0; i < steps.Count; i++)
        {
            vectors[i] = TextAnalysis.Vector(steps[i]);
        }

        return vectors;
    }

    /// <summary>The symmetric best-match similarity of two step sets; 0 when either is empty.</summary>
    public static double Similarity(IReadOnlyList<TermVector> first, IReadOnlyList<TermVector> second)
    {
        if (first.Count == 0 || second.Count == 0)
        {
            return 0;
        }

        return (MeanBestMatch(first, second) + MeanBestMatch(second, first)) / 2;
    }

    private static double MeanBestMatch(IReadOnlyList<TermVector> from, IReadOnlyList<TermVector> to)
    {
        double sum = 0;
        foreach (TermVector step in from)
        {
            double best = 0;
            foreach (TermVector other in to)
            {
                best = Math.Max(best, TermVector.Cosine(step, other));
            }

            sum += best;
        }

        return sum / from.Count;
    }
}
