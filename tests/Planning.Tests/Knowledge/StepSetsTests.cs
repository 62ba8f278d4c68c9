using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Planning.Knowledge;

namespace Planning.Tests.Knowledge;

public sealed class StepSetsTests
{
    private static double Similarity(string[] a, string[] b) => StepSets.Similarity(StepSets.Vectors(a), StepSets.Vectors(b));

    [Fact]
    public void Similarity_WorkedCase_SymmetricMeanOfBestMatches()
    {
        // Terms after the English analyzer: a = [{open, file}, {read, line}], b = [{open, file}, {close, file}, {write}].
        // a -> b: 1 (open file) and 0 (read line): 0.5. b -> a: 1, cos({close,file},{open,file}) = 1/2, 0: 0.5.
        Assert.Equal(0.5, Similarity(["Open the file", "Read lines"], ["opened files", "close the file", "write"]), 12);
    }

    [Fact]
    public void Similarity_EmptySet_Zero()
    {
        Assert.Equal(0, Similarity([], ["a step"]));
    }

    [Property(MaxTest = 200)]
    public Property Similarity_AnyTwoPlans_SymmetricInUnitIntervalAndOneWithItself()
    {
        string[] words = ["open", "file", "deploy", "server", "restart", "pod", "log", "read", "the", "write"];
        Gen<string[]> plans = Gen.NonEmptyListOf(Gen.NonEmptyListOf(Gen.Elements(words)).Select(static list => string.Join(' ', list)))
            .Select(static list => list.ToArray());
        return Prop.ForAll(plans.ToArbitrary(), plans.ToArbitrary(), (a, b) =>
        {
            double ab = Similarity(a, b);
            Assert.Equal(ab, Similarity(b, a), 12);
            Assert.InRange(ab, 0, 1);
            // A step of stop words only ("the") has no terms and matches nothing, itself included.
            double termful = a.Count(static step => TextAnalysis.Terms(step).Count > 0);
            Assert.Equal(termful / a.Length, Similarity(a, a), 12);
            return true;
        });
    }
}
