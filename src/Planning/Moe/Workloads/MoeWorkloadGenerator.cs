using System.Collections.Immutable;

namespace Planning.Moe.Workloads;

/// <summary>
/// Generates MoE workloads: sequences of microbatches with the same topology, routed by one of the
/// <see cref="MoeWorkloadFamily"/> families. Every family, for every microbatch, layer and source rank, routes exactly
/// <c>tokensPerRank x topK</c> assignments with at most <c>tokensPerRank</c> to one expert (a token picks distinct
/// experts), as non-negative integers; the same settings give the same workload.
/// </summary>
/// <remarks>
/// Each expert has a log-popularity score: the family's shape (Zipf's <c>-ln(position + 1)</c> in a random popularity
/// order, or 1 for a hot expert and 0 for the others) plus its drift, a random walk that takes a normal step of sigma
/// <see cref="MoeWorkloadSettings.Drift"/> every microbatch after the first. Its weight is <c>e^(x score)</c>, where the
/// skew parameter <c>x</c> scales the whole score (so <c>x = 0</c> is flat and every target stays reachable however far
/// the drift has wandered); a burst spike multiplies its experts' weights by a further fitted factor. Each source rank multiplies the weights by its own log-normal noise (sigma 0.25, fresh every
/// microbatch) and apportions its assignments by largest remainder. Where a family is defined by the target imbalance,
/// <c>x</c> is fitted per microbatch and layer, by bisection, to the smallest value whose initial imbalance (max / mean
/// master-rank load) reaches the target: within about 1% of it at the default sizes, and never below it unless the
/// routing is already more skewed when flat (a target near 1). Integer rounding limits how close small cases get.
/// </remarks>
public static class MoeWorkloadGenerator
{
    /// <summary>Generates a workload.</summary>
    /// <param name="settings">Topology, sizes, family, target imbalance and seed.</param>
    /// <returns>The workload, <see cref="MoeWorkloadSettings.Microbatches"/> microbatches long.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range (the field names its command-line option) or the target imbalance cannot be reached.</exception>
    public static MoeWorkload Generate(MoeWorkloadSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);
        var random = new Random(settings.Seed);
        var layers = new LayerState[settings.Layers];
        var microbatches = ImmutableArray.CreateBuilder<MoeCase>(settings.Microbatches);
        for (var m = 0; m < settings.Microbatches; m++)
        {
            var tokens = new List<LayerTokens>(settings.Layers);
            for (var l = 0; l < settings.Layers; l++)
            {
                if (m == 0)
                {
                    layers[l] = new LayerState(settings, random);
                }
                else
                {
                    layers[l].Advance(m, random);
                }

                layers[l].DrawBurst(random);
                var noise = WorkloadRouting.Noise(random, settings.Ranks, settings.Ranks * settings.ExpertsPerRank);
                tokens.Add(new LayerTokens(layers[l].Route(noise)));
            }

            microbatches.Add(MoeCase.Create(
                settings.Ranks, settings.RanksPerDomain, settings.RanksPerNode, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, settings.ExpertGroups, tokens));
        }

        return new MoeWorkload(settings, microbatches.MoveToImmutable());
    }

    /// <summary>The imbalance of a mild skew: a quarter of the way from flat to the target.</summary>
    private static double MildImbalance(double target) => 1.0 + ((target - 1.0) / 4.0);

    private static void Validate(MoeWorkloadSettings settings)
    {
        if (!Enum.IsDefined(settings.Family))
        {
            throw new PlanningInputException("family", $"must be one of {string.Join(", ", MoeWorkloadFamilies.Names)}, got {(int)settings.Family}");
        }

        Positive("ranks", settings.Ranks);
        Positive("ranks-per-node", settings.RanksPerNode);
        Positive("ranks-per-domain", settings.RanksPerDomain);
        Positive("experts-per-rank", settings.ExpertsPerRank);
        Positive("layers", settings.Layers);
        Positive("tokens-per-rank", settings.TokensPerRank);
        Positive("top-k", settings.TopK);
        Positive("microbatches", settings.Microbatches);
        if (settings.RedundantSlotsPerRank < 0)
        {
            throw new PlanningInputException("redundant-slots", $"must be non-negative, got {settings.RedundantSlotsPerRank}");
        }

        var experts = (long)settings.Ranks * settings.ExpertsPerRank;
        if (settings.TopK > experts)
        {
            throw new PlanningInputException("top-k", $"must not exceed the number of experts ({experts}), got {settings.TopK}");
        }

        if (!(settings.TargetImbalance >= 1.0) || double.IsInfinity(settings.TargetImbalance))
        {
            throw new PlanningInputException("imbalance", $"must be a number of at least 1, got {settings.TargetImbalance}");
        }

        if ((long)settings.TokensPerRank * settings.TopK * settings.Ranks > int.MaxValue)
        {
            throw new PlanningInputException("tokens-per-rank", $"tokens x top-k x ranks must stay below {int.MaxValue}, got {settings.TokensPerRank}");
        }

        var usesHotExperts = settings.Family is MoeWorkloadFamily.HotSet or MoeWorkloadFamily.Rotating or MoeWorkloadFamily.Burst;
        if (settings.HotExperts < 1 || (usesHotExperts && settings.HotExperts >= experts))
        {
            throw new PlanningInputException("hot-experts", $"must be at least 1 and below the number of experts ({experts}), got {settings.HotExperts}");
        }

        Positive("rotate-every", settings.RotateEvery);
        if (!(settings.Drift >= 0.0) || double.IsInfinity(settings.Drift))
        {
            throw new PlanningInputException("drift", $"must be a non-negative number, got {settings.Drift}");
        }

        if (!(settings.BurstProbability is >= 0.0 and <= 1.0))
        {
            throw new PlanningInputException("burst-probability", $"must be a number from 0 to 1, got {settings.BurstProbability}");
        }

        if (settings.Family == MoeWorkloadFamily.ZeroLoadRank && settings.TopK > experts - settings.ExpertsPerRank)
        {
            throw new PlanningInputException(
                "top-k",
                $"must not exceed the experts outside the zero-load rank ({experts - settings.ExpertsPerRank}), got {settings.TopK}");
        }

        // The topology's own rules (ranks per node and domain, expert groups), checked before any routing.
        var empty = Enumerable.Range(0, settings.Ranks).Select(_ => (IReadOnlyList<int>)new int[experts]).ToArray();
        _ = MoeCase.Create(
            settings.Ranks, settings.RanksPerDomain, settings.RanksPerNode, settings.ExpertsPerRank, settings.RedundantSlotsPerRank, settings.ExpertGroups, [new LayerTokens(empty)]);
    }

    private static void Positive(string field, int value)
    {
        if (value <= 0)
        {
            throw new PlanningInputException(field, $"must be a positive integer, got {value}");
        }
    }

    /// <summary>
    /// One layer's state across microbatches: the popularity order, the drift, the hot experts and the burst of the
    /// current microbatch. Random draws happen in a fixed order so that a seed fixes the workload; for zipf the first
    /// microbatch draws exactly what <see cref="MoeCaseGenerator"/> draws for the layer.
    /// </summary>
    private sealed class LayerState
    {
        private readonly MoeWorkloadSettings _settings;
        private readonly int _experts;
        private readonly int[] _popularity;
        private readonly double[] _logDrift;
        /// <summary>The family's marked experts: the hot set, the hot rank's masters or the idle rank's masters.</summary>
        private bool[] _marked;
        private bool[]? _spike;

        public LayerState(MoeWorkloadSettings settings, Random random)
        {
            _settings = settings;
            _experts = settings.Ranks * settings.ExpertsPerRank;
            _logDrift = new double[_experts];
            _popularity = settings.Family is MoeWorkloadFamily.Zipf or MoeWorkloadFamily.Burst or MoeWorkloadFamily.ZeroLoadRank
                ? WorkloadRouting.Permutation(random, _experts)
                : [];
            _marked = settings.Family switch
            {
                MoeWorkloadFamily.HotSet or MoeWorkloadFamily.Rotating =>
                    WorkloadRouting.SelectSpread(random, settings.Ranks, settings.ExpertsPerRank, settings.HotExperts, avoid: null),
                MoeWorkloadFamily.HotRank or MoeWorkloadFamily.ZeroLoadRank => RankMask(random.Next(settings.Ranks)),
                _ => new bool[_experts],
            };
        }

        /// <summary>Steps the drift and, for the rotating family at a phase boundary, moves the hot set.</summary>
        public void Advance(int microbatch, Random random)
        {
            for (var e = 0; e < _experts; e++)
            {
                _logDrift[e] += _settings.Drift * WorkloadRouting.StandardNormal(random);
            }

            if (_settings.Family == MoeWorkloadFamily.Rotating && microbatch % _settings.RotateEvery == 0)
            {
                _marked = WorkloadRouting.SelectSpread(random, _settings.Ranks, _settings.ExpertsPerRank, _settings.HotExperts, avoid: _marked);
            }
        }

        /// <summary>For the burst family, decides whether this microbatch spikes and on which experts.</summary>
        public void DrawBurst(Random random)
        {
            if (_settings.Family != MoeWorkloadFamily.Burst)
            {
                return;
            }

            _spike = random.NextDouble() < _settings.BurstProbability
                ? WorkloadRouting.SelectSpread(random, _settings.Ranks, _settings.ExpertsPerRank, _settings.HotExperts, avoid: null)
                : null;
        }

        public int[][] Route(double[,] noise)
        {
            var target = _settings.TargetImbalance;
            switch (_settings.Family)
            {
                case MoeWorkloadFamily.Zipf:
                    return WorkloadRouting.Fit(_settings, target, x => Zipf(x, zero: null), noise).Rows;
                case MoeWorkloadFamily.HotSet or MoeWorkloadFamily.Rotating or MoeWorkloadFamily.HotRank:
                    return WorkloadRouting.Fit(_settings, target, Hot, noise).Rows;
                case MoeWorkloadFamily.Burst:
                    var mild = WorkloadRouting.Fit(_settings, MildImbalance(target), x => Zipf(x, zero: null), noise, lenient: true);
                    if (_spike is not { } spike)
                    {
                        return mild.Rows;
                    }

                    var shape = Zipf(mild.Parameter, zero: null);
                    return WorkloadRouting.Fit(_settings, target, y => Spike(shape, spike, y), noise).Rows;
                default:
                    return WorkloadRouting.Fit(_settings, MildImbalance(target), x => Zipf(x, zero: _marked), noise, lenient: true).Rows;
            }
        }

        /// <summary>
        /// Zipf weights <c>(popularity + 1)^-x x e^(x drift)</c>: the exponent scales the whole log-popularity score,
        /// drift included, so <c>x = 0</c> is flat; experts in <paramref name="zero"/> get 0. With no drift yet this is
        /// exactly <see cref="MoeCaseGenerator"/>'s weight.
        /// </summary>
        private double[] Zipf(double x, bool[]? zero)
        {
            var weights = new double[_experts];
            for (var e = 0; e < _experts; e++)
            {
                weights[e] = zero is not null && zero[e] ? 0.0 : Math.Pow(_popularity[e] + 1, -x) * Math.Exp(x * _logDrift[e]);
            }

            return weights;
        }

        /// <summary>Weights <c>e^(x (hot + drift))</c> with hot 1 for the marked experts and 0 otherwise: the marked experts carry <c>e^x</c> times the others' load.</summary>
        private double[] Hot(double x)
        {
            var weights = new double[_experts];
            for (var e = 0; e < _experts; e++)
            {
                weights[e] = Math.Exp(x * ((_marked[e] ? 1.0 : 0.0) + _logDrift[e]));
            }

            return weights;
        }

        /// <summary>The shape with the spiking experts multiplied by <c>e^y</c>.</summary>
        private static double[] Spike(double[] shape, bool[] spike, double y)
        {
            var factor = Math.Exp(y);
            var weights = new double[shape.Length];
            for (var e = 0; e < shape.Length; e++)
            {
                weights[e] = spike[e] ? shape[e] * factor : shape[e];
            }

            return weights;
        }

        private bool[] RankMask(int rank)
        {
            var mask = new bool[_experts];
            for (var e = rank * _settings.ExpertsPerRank; e < (rank + 1) * _settings.ExpertsPerRank; e++)
            {
                mask[e] = true;
            }

            return mask;
        }
    }
}
