using Planning.Moe.Workloads;

namespace Planning.Moe.ReLibra;

/// <summary>
/// Generates RL-like routing replays (<see cref="RoutingReplaySettings"/>): what the rollout of a GRPO-style batch
/// routes, microbatch by microbatch. Deterministic for a seed.
/// </summary>
/// <remarks>
/// <para><b>Router.</b> Per layer, a base popularity (Zipf with exponent <see cref="RoutingReplaySettings.BaseSkew"/>
/// over a random order of the experts) and <see cref="RoutingReplaySettings.Themes"/> themes, each a random hot set of
/// <see cref="RoutingReplaySettings.HotExperts"/> experts.</para>
/// <para><b>Prompts.</b> Every microbatch draws a dominant theme (so hot sets shift from microbatch to microbatch); each
/// prompt follows it with probability <see cref="RoutingReplaySettings.ThemeCoherence"/>, else a uniformly drawn theme,
/// and draws its own hot share (uniform within +-50 % of <see cref="RoutingReplaySettings.HotShare"/>, at most 0.95)
/// and its own log-normal weights (sigma 0.5) over the hot set: per-prompt skew. A prompt's
/// <see cref="RoutingReplaySettings.GroupSize"/> responses share that preference.</para>
/// <para><b>Sequences.</b> Lengths are log-normal around <see cref="RoutingReplaySettings.MedianSequenceLength"/> with
/// sigma <see cref="RoutingReplaySettings.LengthSigma"/> (a long tail), at least 16 tokens. Each rank packs sequences
/// until it holds <see cref="RoutingReplaySettings.TokensPerRank"/> tokens (the last one cut to fit).</para>
/// <para><b>Routing.</b> A sequence of <c>n</c> tokens routes <c>n x topK</c> assignments, at most <c>n</c> to one
/// expert (a token picks distinct experts), apportioned by largest remainder to the mixture
/// <c>(1 - share) x base + share x hot</c>, each normalised; the rank's row is the sum over its sequences. So every
/// source rank routes exactly <c>tokensPerRank x topK</c> assignments in every layer.</para>
/// </remarks>
public static class RoutingReplayGenerator
{
    private const int MinimumLength = 16;

    /// <summary>Generates a replay.</summary>
    /// <param name="settings">The settings; <see langword="null"/> for <see cref="RoutingReplaySettings.Default"/>.</param>
    /// <returns>The replay: <c>Batches x Microbatches</c> microbatches.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range.</exception>
    public static RoutingReplay Generate(RoutingReplaySettings? settings = null)
    {
        settings = (settings ?? RoutingReplaySettings.Default).Validate();
        var random = new Random(settings.Seed);
        var experts = settings.Ranks * settings.ExpertsPerRank;
        var layers = Enumerable.Range(0, settings.Layers).Select(_ => new Router(settings, experts, random)).ToArray();
        var microbatches = new List<ReplayMicrobatch>(settings.Batches * settings.Microbatches);
        for (var b = 0; b < settings.Batches; b++)
        {
            for (var m = 0; m < settings.Microbatches; m++)
            {
                var sequences = Pack(settings, random);
                var tokens = new LayerTokens[settings.Layers];
                for (var l = 0; l < settings.Layers; l++)
                {
                    tokens[l] = new LayerTokens(layers[l].Route(settings, sequences, random));
                }

                var moeCase = MoeCase.Create(settings.Ranks, settings.RanksPerNode, settings.RanksPerNode, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, null, tokens);
                microbatches.Add(new ReplayMicrobatch(b, m, moeCase));
            }
        }

        return RoutingReplay.Create(microbatches);
    }

    /// <summary>Per rank, its packed sequences: (prompt, length), prompts numbered within the microbatch.</summary>
    private static List<(int Prompt, int Length)>[] Pack(RoutingReplaySettings settings, Random random)
    {
        var perRank = new List<(int Prompt, int Length)>[settings.Ranks];
        var sequence = 0;
        for (var r = 0; r < settings.Ranks; r++)
        {
            perRank[r] = [];
            var room = settings.TokensPerRank;
            while (room > 0)
            {
                var drawn = settings.MedianSequenceLength * Math.Exp(settings.LengthSigma * WorkloadRouting.StandardNormal(random));
                var length = (int)Math.Min(room, Math.Max(MinimumLength, Math.Round(Math.Min(drawn, int.MaxValue / 2.0))));
                perRank[r].Add((sequence / settings.GroupSize, length));
                sequence++;
                room -= length;
            }
        }

        return perRank;
    }

    /// <summary>One layer's router: base popularity and themes, fixed over the replay.</summary>
    private sealed class Router
    {
        private readonly double[] _base;
        private readonly int[][] _themes;

        public Router(RoutingReplaySettings settings, int experts, Random random)
        {
            var order = WorkloadRouting.Permutation(random, experts);
            _base = new double[experts];
            for (var position = 0; position < experts; position++)
            {
                _base[order[position]] = Math.Pow(position + 1, -settings.BaseSkew);
            }

            Normalise(_base);
            _themes = [.. Enumerable.Range(0, settings.Themes).Select(_ => WorkloadRouting.Permutation(random, experts)[..settings.HotExperts])];
        }

        public int[][] Route(RoutingReplaySettings settings, List<(int Prompt, int Length)>[] sequences, Random random)
        {
            var experts = _base.Length;
            var dominant = random.Next(_themes.Length);
            var preference = new Dictionary<int, double[]>();
            var rows = new int[sequences.Length][];
            for (var r = 0; r < sequences.Length; r++)
            {
                rows[r] = new int[experts];
                foreach (var (prompt, length) in sequences[r])
                {
                    if (!preference.TryGetValue(prompt, out var weights))
                    {
                        weights = Preference(settings, dominant, random);
                        preference[prompt] = weights;
                    }

                    var counts = WorkloadRouting.Apportion(weights, (long)length * settings.TopK, length);
                    for (var e = 0; e < experts; e++)
                    {
                        rows[r][e] += counts[e];
                    }
                }
            }

            return rows;
        }

        private double[] Preference(RoutingReplaySettings settings, int dominant, Random random)
        {
            var theme = random.NextDouble() < settings.ThemeCoherence ? dominant : random.Next(_themes.Length);
            var share = Math.Min(0.95, settings.HotShare * (0.5 + random.NextDouble()));
            var hot = new double[_base.Length];
            foreach (var e in _themes[theme])
            {
                hot[e] = Math.Exp(0.5 * WorkloadRouting.StandardNormal(random));
            }

            Normalise(hot);
            var weights = new double[_base.Length];
            for (var e = 0; e < weights.Length; e++)
            {
                weights[e] = ((1 - share) * _base[e]) + (share * hot[e]);
            }

            return weights;
        }

        private static void Normalise(double[] weights)
        {
            var total = weights.Sum();
            for (var e = 0; e < weights.Length; e++)
            {
                weights[e] /= total;
            }
        }
    }
}
