using Planning.Provers.Selection;

namespace Planning.Provers.Tests.Selection;

public sealed class DisjointSetsTests
{
    [Fact]
    public void Constructor_FiveElements_FiveSingletons()
    {
        DisjointSets sets = new(5);
        Assert.Equal(5, sets.SetCount);
        Assert.Equal([[0], [1], [2], [3], [4]], sets.Sets().Select(static set => set.ToArray()));
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(i, sets.Find(i)));
    }

    [Fact]
    public void Union_TwoSingletons_JoinsThemOnce()
    {
        DisjointSets sets = new(3);
        Assert.True(sets.Union(0, 2));
        Assert.False(sets.Union(2, 0));
        Assert.True(sets.Connected(0, 2));
        Assert.False(sets.Connected(0, 1));
        Assert.Equal(2, sets.SetCount);
        Assert.Equal(2, sets.SizeOf(2));
        Assert.Equal(1, sets.SizeOf(1));
    }

    [Fact]
    public void Union_Chain_IsTransitive()
    {
        DisjointSets sets = new(6);
        sets.Union(4, 3);
        sets.Union(3, 1);
        sets.Union(5, 0);
        Assert.True(sets.Connected(1, 4));
        Assert.Equal(3, sets.SizeOf(4));
        Assert.Equal(3, sets.SetCount);
    }

    [Fact]
    public void Sets_AnyUnionOrder_SortedAndOrderedBySmallestElement()
    {
        (int, int)[] unions = [(4, 3), (3, 1), (5, 0), (2, 6)];
        int[][] expected = [[0, 5], [1, 3, 4], [2, 6]];
        foreach (IEnumerable<(int, int)> order in new[] { unions, unions.Reverse(), unions.Select(static pair => (pair.Item2, pair.Item1)) })
        {
            DisjointSets sets = new(7);
            foreach ((int a, int b) in order)
            {
                sets.Union(a, b);
            }

            Assert.Equal(expected, sets.Sets().Select(static set => set.ToArray()));
        }
    }

    [Fact]
    public void Find_OutOfRange_Throws()
    {
        DisjointSets sets = new(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => sets.Find(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => sets.Find(-1));
    }
}
