using Planning.Execution.Adapters.Moe;

namespace Planning.Execution.Tests.Adapters;

/// <summary>Against CPython 3.11.7's <c>random.Random</c>: the expected values were printed by that interpreter.</summary>
public sealed class PythonRandomTests
{
    [Fact]
    public void NextUInt32_Seed42_MatchesCPythonGetrandbits32()
    {
        // random.Random(42); [r.getrandbits(32) for _ in range(3)]
        var random = new PythonRandom(42);
        Assert.Equal([2746317213u, 478163327u, 107420369u], new[] { random.NextUInt32(), random.NextUInt32(), random.NextUInt32() });
    }

    [Fact]
    public void NextUInt32_PastTheFirstTwist_MatchesCPython()
    {
        // random.Random(7); [r.getrandbits(32) for _ in range(700)][-1]
        var random = new PythonRandom(7);
        uint last = 0;
        for (var i = 0; i < 700; i++)
        {
            last = random.NextUInt32();
        }

        Assert.Equal(72291700u, last);
    }

    [Fact]
    public void Below_Seed42_MatchesCPythonRandbelow()
    {
        // random.Random(42); [r._randbelow(n) for n in [1,2,3,5,7,100,1000]]
        var random = new PythonRandom(42);
        Assert.Equal([0, 0, 2, 2, 1, 28, 142], new[] { 1, 2, 3, 5, 7, 100, 1000 }.Select(random.Below));
    }

    [Fact]
    public void ShuffleAndSample_Seed42_MatchCPythonPoolAndSetBranches()
    {
        // r = random.Random(42); a = list(range(10)); r.shuffle(a); r.sample([10..14], 3); r.sample(range(40), 2); r.sample(range(30), 8)
        var random = new PythonRandom(42);
        var items = Enumerable.Range(0, 10).ToList();
        random.Shuffle(items);
        Assert.Equal([7, 3, 2, 8, 5, 6, 9, 4, 0, 1], items);
        Assert.Equal([14, 13, 10], random.Sample([10, 11, 12, 13, 14], 3));
        Assert.Equal([1, 5], random.Sample([.. Enumerable.Range(0, 40)], 2)); // n = 40 > setsize 21: the set branch
        Assert.Equal([6, 7, 16, 19, 0, 17, 29, 22], random.Sample([.. Enumerable.Range(0, 30)], 8)); // k > 5: setsize 21 + 64
    }
}
