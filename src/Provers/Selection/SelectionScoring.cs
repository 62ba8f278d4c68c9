using System.Collections.Immutable;

namespace Planning.Provers.Selection;

/// <summary>Normalises and combines the raw scores of the candidates that parsed, and picks the best.</summary>
internal static class SelectionScoring
{
    /// <summary>
    /// Scores the candidates: softmax of each raw score over the valid candidates, combined per
    /// <paramref name="combination"/>; <see langword="null"/> for invalid candidates.
    /// </summary>
    /// <param name="symbolic">The raw symbolic score of each candidate (ignored where invalid).</param>
    /// <param name="semantic">The raw semantic score of each candidate (ignored where invalid).</param>
    /// <param name="valid">Whether each candidate parsed.</param>
    /// <param name="combination">The combination.</param>
    /// <param name="alpha">The weight of the symbolic score, in [0, 1].</param>
    public static ImmutableArray<CandidateScore?> Score(
        IReadOnlyList<double> symbolic, IReadOnlyList<double> semantic, IReadOnlyList<bool> valid, ScoreCombination combination, double alpha)
    {
        double[] logP = LogSoftmax(symbolic, valid);
        double[] logQ = LogSoftmax(semantic, valid);
        var scores = ImmutableArray.CreateBuilder<CandidateScore?>(valid.Count);
        for (int i = 0; i < valid.Count; i++)
        {
            if (!valid[i])
            {
                scores.Add(null);
                continue;
            }

            double p = Math.Exp(logP[i]);
            double q = Math.Exp(logQ[i]);
            double combined = combination switch
            {
                ScoreCombination.Log => (alpha * logP[i]) + ((1 - alpha) * logQ[i]),
                ScoreCombination.Linear => (alpha * p) + ((1 - alpha) * q),
                ScoreCombination.Quadratic => (alpha * p * p) + ((1 - alpha) * q * q),
                _ => throw new ArgumentOutOfRangeException(nameof(combination), combination, "unknown score combination"),
            };
            scores.Add(new CandidateScore(symbolic[i], semantic[i], p, q, combined));
        }

        return scores.MoveToImmutable();
    }

    /// <summary>The index of the highest combined score, the lowest index among equals; -1 when no candidate has a score.</summary>
    public static int Best(ImmutableArray<CandidateScore?> scores)
    {
        int best = -1;
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] is { } score && (best < 0 || score.Combined > scores[best]!.Combined))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>log softmax over the valid entries: <c>xᵢ − m − log Σⱼ exp(xⱼ − m)</c> with m the largest; NaN where invalid.</summary>
    private static double[] LogSoftmax(IReadOnlyList<double> values, IReadOnlyList<bool> valid)
    {
        double[] result = new double[valid.Count];
        double max = double.NegativeInfinity;
        for (int i = 0; i < valid.Count; i++)
        {
            if (valid[i])
            {
                max = Math.Max(max, values[i]);
            }
        }

        double sum = 0;
        for (int i = 0; i < valid.Count; i++)
        {
            if (valid[i])
            {
                sum += Math.Exp(values[i] - max);
            }
        }

        double logSum = Math.Log(sum);
        for (int i = 0; i < valid.Count; i++)
        {
            result[i] = valid[i] ? values[i] - max - logSum : double.NaN;
        }

        return result;
    }
}
