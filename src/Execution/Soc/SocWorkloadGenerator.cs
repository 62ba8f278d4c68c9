using System.Collections.Immutable;
using System.Globalization;
using Planning.Rollout;
using Planning.Soc;

namespace Planning.Execution.Soc;

/// <summary>
/// Generates SoC serving workloads: reactive and proactive requests arriving as two independent Poisson processes
/// (<see cref="SocWorkloadOptions"/>), with reactive prompt and output lengths drawn from one Azure LLM inference trace
/// (the conversation trace, for a person chatting with the agent) and proactive ones from another (the code trace, for
/// background work over files). Each length is a uniformly drawn row's value of the measured lengths, so the
/// marginal distributions are Azure's (a pair whose prompt and output together exceed the models' context,
/// <see cref="SocCostModel.MaxContextTokens"/>, is drawn again). Reactive ids are <c>rNNNN</c>, proactive <c>pNNNN</c>, numbered in arrival
/// order; the workload is sorted by arrival (reactive first at a tie). Deterministic for a seed.
/// </summary>
public static class SocWorkloadGenerator
{
    /// <summary>Generates a workload.</summary>
    /// <param name="options">The rates, duration and seed.</param>
    /// <param name="reactiveLengths">Where reactive lengths come from (<c>AzureLLMInferenceTrace_conv.csv</c>).</param>
    /// <param name="proactiveLengths">Where proactive lengths come from (<c>AzureLLMInferenceTrace_code.csv</c>).</param>
    /// <returns>The requests in arrival order; possibly empty when the rates are low and the duration short.</returns>
    /// <exception cref="PlanningInputException">A setting is out of range.</exception>
    public static ImmutableArray<SocRequest> Generate(SocWorkloadOptions options, AzureTraceBuilder reactiveLengths, AzureTraceBuilder proactiveLengths)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reactiveLengths);
        ArgumentNullException.ThrowIfNull(proactiveLengths);
        options.Validate();

        // Two streams from one seed, so adding reactive requests does not move the proactive ones.
        var reactive = Stream(SocRequestKind.Reactive, options.ReactivePerMinute, options.DurationMinutes, new Random(options.Seed), reactiveLengths);
        var proactive = Stream(SocRequestKind.Proactive, options.ProactivePerMinute, options.DurationMinutes, new Random(unchecked((options.Seed * 7919) + 104_729)), proactiveLengths);
        return [.. reactive.Concat(proactive).OrderBy(r => r.ArrivalMs).ThenBy(r => r.Kind)];
    }

    /// <summary>How reports name a generated workload: <c>3 reactive + 6 proactive /min, 10 min, seed 1</c>.</summary>
    /// <param name="options">The settings.</param>
    /// <returns>The description.</returns>
    public static string Describe(SocWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture, $"{options.ReactivePerMinute:0.##} reactive + {options.ProactivePerMinute:0.##} proactive /min, {options.DurationMinutes:0.##} min, seed {options.Seed}");
    }

    private static List<SocRequest> Stream(SocRequestKind kind, double perMinute, double minutes, Random random, AzureTraceBuilder lengths)
    {
        var requests = new List<SocRequest>();
        if (perMinute == 0)
        {
            return requests;
        }

        if ((long)lengths.ContextTokens[0] + lengths.GeneratedTokens[0] > SocCostModel.MaxContextTokens)
        {
            throw new PlanningInputException(
                kind == SocRequestKind.Reactive ? "reactiveLengths" : "proactiveLengths",
                string.Create(CultureInfo.InvariantCulture, $"{lengths.Source} has no prompt and output short enough to fit the models' context of {SocCostModel.MaxContextTokens} tokens"));
        }

        var meanGapMs = 60_000 / perMinute;
        var endMs = minutes * 60_000;
        var prefix = kind == SocRequestKind.Reactive ? "r" : "p";
        var now = 0.0;
        while (true)
        {
            // Exponential gaps by inversion; 1 - u keeps the logarithm finite.
            now += -meanGapMs * Math.Log(1 - random.NextDouble());
            if (now >= endMs)
            {
                return requests;
            }

            // Drawn again until prompt and output fit the models' context: the lengths are the trace's, given that they fit.
            int prompt, output;
            do
            {
                prompt = lengths.ContextTokens[random.Next(lengths.ContextTokens.Length)];
                output = lengths.GeneratedTokens[random.Next(lengths.GeneratedTokens.Length)];
            }
            while (prompt + output > SocCostModel.MaxContextTokens);

            var id = string.Create(CultureInfo.InvariantCulture, $"{prefix}{requests.Count + 1:D4}");
            requests.Add(new SocRequest(id, Math.Round(now, 1), kind, prompt, output));
        }
    }
}
