using System.Globalization;

namespace Planning.Rollout;

/// <summary>
/// Generates synthetic agentic-RL rollout traces: GRPO groups of samples per prompt, long-tailed turns per trajectory,
/// output tokens per turn and tool latencies (see <see cref="RolloutTraceGeneratorOptions"/> for the model). Trajectory
/// ids are <c>pPPP-sSS</c> (prompt and sample, zero-padded) and groups <c>pPPP</c>. Deterministic for a seed.
/// </summary>
public static class RolloutTraceGenerator
{
    /// <summary>Generates a trace.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>Prompts x samples trajectories, grouped by prompt in trace order.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range (see <see cref="RolloutTraceGeneratorOptions.Validate"/>).</exception>
    public static RolloutTrace Generate(RolloutTraceGeneratorOptions options) => Generate(options, new LogNormalLengths(options));

    /// <summary>Generates a trace of a named family.</summary>
    /// <param name="family">The family.</param>
    /// <param name="prompts">Prompts (GRPO groups).</param>
    /// <param name="samplesPerPrompt">Samples per prompt.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="PlanningInputException">A count is out of range.</exception>
    public static RolloutTrace Generate(RolloutTraceFamily family, int prompts = 64, int samplesPerPrompt = 16, int seed = 0) =>
        Generate(RolloutTraceGeneratorOptions.ForFamily(family) with { Prompts = prompts, SamplesPerPrompt = samplesPerPrompt, Seed = seed });

    /// <summary>How reports name a trace of <see cref="Generate(RolloutTraceFamily, int, int, int)"/>: <c>skewed 64x16 seed 1</c>.</summary>
    /// <param name="family">The family.</param>
    /// <param name="prompts">Prompts (GRPO groups).</param>
    /// <param name="samplesPerPrompt">Samples per prompt.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The description.</returns>
    public static string Describe(RolloutTraceFamily family, int prompts, int samplesPerPrompt, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{RolloutTraceFamilies.Name(family)} {prompts}x{samplesPerPrompt} seed {seed}");

    /// <summary>
    /// Generates a trace whose prompt and per-turn output lengths come from <paramref name="lengths"/>, given a
    /// standardised deviate (about standard normal; larger means longer) so that the generator's correlations survive.
    /// </summary>
    internal static RolloutTrace Generate(RolloutTraceGeneratorOptions options, IRolloutTokenLengths lengths)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lengths);
        options.Validate();
        var random = new Random(options.Seed);
        var tail = options.TailAlpha;

        // Normalising turns by E[sqrt(w)] keeps the mean turn count at MeanTurns whatever the skew.
        var meanSqrtW = Math.Exp(((options.PromptDifficultySigma * options.PromptDifficultySigma) + (options.SampleSigma * options.SampleSigma)) / 8);
        var varLogW = (options.PromptDifficultySigma * options.PromptDifficultySigma) + (options.SampleSigma * options.SampleSigma);
        if (tail is { } a)
        {
            meanSqrtW *= a / (a - 0.5) / Math.Pow(2, 0.5 / a);
            varLogW += 1 / (a * a);
        }

        var turnSd = Math.Sqrt((0.25 * varLogW) + (options.TurnTokensSigma * options.TurnTokensSigma));
        var trajectories = new List<Trajectory>(options.Prompts * options.SamplesPerPrompt);
        var outputs = new List<int>();
        var observations = new List<int>();
        var tools = new List<double>();
        for (var p = 0; p < options.Prompts; p++)
        {
            var group = string.Create(CultureInfo.InvariantCulture, $"p{p:D3}");
            var logDifficulty = options.PromptDifficultySigma * Normal(random);
            var prompt = Math.Clamp(lengths.PromptTokens(Normal(random)), 1, options.MaxContextTokens - 1);
            for (var s = 0; s < options.SamplesPerPrompt; s++)
            {
                var logW = logDifficulty + (options.SampleSigma * Normal(random));
                if (tail is { } alpha)
                {
                    // Pareto(x_m = 1, alpha) by inversion, divided by its median 2^(1/alpha).
                    logW += (-Math.Log(1 - random.NextDouble()) / alpha) - (Math.Log(2) / alpha);
                }

                var lambda = Math.Min((options.MeanTurns - 1) * Math.Exp(0.5 * logW) / meanSqrtW, 4.0 * options.MaxTurns);
                var turns = Math.Min(1 + Poisson(random, lambda), options.MaxTurns);
                outputs.Clear();
                observations.Clear();
                tools.Clear();
                long context = prompt;
                for (var t = 0; t < turns; t++)
                {
                    var deviation = (0.5 * logW) + (options.TurnTokensSigma * Normal(random));
                    var z = turnSd > 0 ? deviation / turnSd : 0;
                    var tokens = Math.Clamp(lengths.TurnOutputTokens(z), 1, options.MaxOutputTokensPerTurn);
                    var room = options.MaxContextTokens - context;
                    var last = t == turns - 1 || tokens >= room;
                    tokens = (int)Math.Max(1, Math.Min(tokens, room));
                    outputs.Add(tokens);
                    context += tokens;
                    if (last)
                    {
                        break;
                    }

                    var observation = (int)Math.Round(options.ObservationTokens * Math.Exp(options.ObservationTokensSigma * Normal(random)));
                    var tool = options.ToolSeconds * Math.Exp(options.ToolSecondsSigma * Normal(random));

                    // The next turn needs room for its observation and at least one generated token.
                    if (context + observation >= options.MaxContextTokens)
                    {
                        break;
                    }

                    observations.Add(observation);
                    tools.Add(Math.Round(tool, 3));
                    context += observation;
                }

                var id = string.Create(CultureInfo.InvariantCulture, $"{group}-s{s:D2}");
                trajectories.Add(new Trajectory(id, group, prompt, [.. outputs], [.. observations], [.. tools], $"trace[{trajectories.Count}]"));
            }
        }

        return new RolloutTrace(trajectories);
    }

    /// <summary>A standard normal deviate (Box-Muller; one uniform pair per call keeps the stream simple to follow).</summary>
    internal static double Normal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static int Poisson(Random random, double lambda)
    {
        if (lambda <= 0)
        {
            return 0;
        }

        if (lambda < 30)
        {
            // Knuth's product of uniforms; exp(-30) is far from underflow.
            var limit = Math.Exp(-lambda);
            var product = random.NextDouble();
            var count = 0;
            while (product > limit)
            {
                product *= random.NextDouble();
                count++;
            }

            return count;
        }

        // The normal approximation is within a few percent at lambda >= 30, and turn counts are capped anyway.
        return (int)Math.Max(0, Math.Round(lambda + (Math.Sqrt(lambda) * Normal(random))));
    }

    private sealed class LogNormalLengths(RolloutTraceGeneratorOptions options) : IRolloutTokenLengths
    {
        private readonly double turnSd = TurnSd(options);

        public int PromptTokens(double z) => Round(options.PromptTokens * Math.Exp(options.PromptTokensSigma * z));

        public int TurnOutputTokens(double z) => Round(options.OutputTokensPerTurn * Math.Exp(turnSd * z));

        private static double TurnSd(RolloutTraceGeneratorOptions o)
        {
            var varLogW = (o.PromptDifficultySigma * o.PromptDifficultySigma) + (o.SampleSigma * o.SampleSigma);
            if (o.TailAlpha is { } a)
            {
                varLogW += 1 / (a * a);
            }

            return Math.Sqrt((0.25 * varLogW) + (o.TurnTokensSigma * o.TurnTokensSigma));
        }

        private static int Round(double value) => value >= int.MaxValue ? int.MaxValue : (int)Math.Max(1, Math.Round(value));
    }
}

/// <summary>
/// Where <see cref="RolloutTraceGenerator"/> takes prompt and per-turn output lengths from, given a standardised deviate
/// (about standard normal): log-normal by default, or quantiles of a measured distribution.
/// </summary>
internal interface IRolloutTokenLengths
{
    /// <summary>Prompt tokens for deviate <paramref name="z"/>.</summary>
    int PromptTokens(double z);

    /// <summary>Output tokens of one turn for deviate <paramref name="z"/>.</summary>
    int TurnOutputTokens(double z);
}
