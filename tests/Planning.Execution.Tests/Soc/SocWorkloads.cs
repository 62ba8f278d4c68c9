using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Planning.Execution.Soc;

namespace Planning.Execution.Tests.Soc;

/// <summary>Generated SoC workloads for the properties: small enough to simulate hundreds of times a test.</summary>
internal static class SocWorkloads
{
    /// <summary>
    /// 1..10 requests arriving in the first 20 s, reactive or proactive, prompts of 1..1,500 tokens (so some end in a
    /// remainder chunk and some are one chunk) and 1..40 output tokens.
    /// </summary>
    public static Arbitrary<ImmutableArray<SocRequest>> Small { get; } =
        (from count in Gen.Choose(1, 10)
         from requests in Gen.CollectToArray(Enumerable.Range(0, count), Request)
         select requests.ToImmutableArray())
        .ToArbitrary();

    private static Gen<SocRequest> Request(int index) =>
        from arrival in Gen.Choose(0, 20_000)
        from reactive in Gen.Elements(true, false)
        from prompt in Gen.Choose(1, 1500)
        from output in Gen.Choose(1, 40)
        select new SocRequest($"q{index}", arrival, reactive ? SocRequestKind.Reactive : SocRequestKind.Proactive, prompt, output);
}
