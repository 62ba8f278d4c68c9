using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Planning.Execution.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class KvTransfersTests
{
    private const double Bandwidth = 1e6;

    private static KvTransfers.Transfer Move(int trajectory, int from, int to, double bytes, double start) =>
        new(trajectory, 0, from, to, (long)(bytes / 1000), bytes, start, start + 100);

    /// <summary>Runs the transfers to their ends: each trajectory's completion time.</summary>
    private static Dictionary<int, double> Run(KvTransfers transfers, params (double Start, KvTransfers.Transfer Transfer)[] starts)
    {
        var ends = new Dictionary<int, double>();
        var pending = new Queue<(double Start, KvTransfers.Transfer Transfer)>(starts.OrderBy(s => s.Start));
        while (pending.Count > 0 || transfers.Count > 0)
        {
            var next = transfers.NextCompletion();
            if (pending.Count > 0 && pending.Peek().Start <= next)
            {
                var (start, transfer) = pending.Dequeue();
                transfers.Start(start, transfer);
                continue;
            }

            foreach (var done in transfers.Complete(next))
            {
                ends[done.Trajectory] = next;
            }
        }

        return ends;
    }

    [Fact]
    public void Complete_OneTransferAlone_TakesBytesOverTheLink()
    {
        var ends = Run(new KvTransfers(Bandwidth), (0, Move(0, 0, 1, 1e6, 0)));

        Assert.Equal(1.0, ends[0], 12);
    }

    [Fact]
    public void Complete_TwoTransfersOnOneLink_EachAtHalfTheRateBytesConserved()
    {
        // Both start at 0 on link 0 -> 1: each moves at 0.5e6 B/s, so each 1e6 bytes take 2 s (twice alone), and
        // 2 x 1e6 bytes cross the link in 2 s, its full bandwidth.
        var ends = Run(new KvTransfers(Bandwidth), (0, Move(0, 0, 1, 1e6, 0)), (0, Move(1, 0, 1, 1e6, 0)));

        Assert.Equal(2.0, ends[0], 12);
        Assert.Equal(2.0, ends[1], 12);
    }

    [Fact]
    public void Complete_SecondStartsHalfway_SharesFromThenOn()
    {
        // A alone for 0.5 s (half its bytes), then both at 0.5e6 B/s: A's other half takes 1 s (ends at 1.5 s), by when
        // B has moved 0.5e6 bytes; B's rest alone takes 0.5 s (ends at 2 s).
        var ends = Run(new KvTransfers(Bandwidth), (0, Move(0, 0, 1, 1e6, 0)), (0.5, Move(1, 2, 1, 1e6, 0.5)));

        Assert.Equal(1.5, ends[0], 12);
        Assert.Equal(2.0, ends[1], 12);
    }

    [Fact]
    public void Complete_DisjointLinks_NoSharing()
    {
        var ends = Run(new KvTransfers(Bandwidth), (0, Move(0, 0, 1, 1e6, 0)), (0, Move(1, 2, 3, 1e6, 0)));

        Assert.Equal((1.0, 1.0), (ends[0], ends[1]));
    }

    [Fact]
    public void Complete_UnequalContention_MaxMinFairRates()
    {
        // Link 2 carries B, C and D (1/3 each); link 0 carries A and B: B is held to 1/3 by link 2, so A gets the other
        // 2/3 of link 0. A: 1e6 B at 2/3e6 B/s = 1.5 s; B, C, D: 3 s (A's end frees nothing they are held by).
        var ends = Run(
            new KvTransfers(Bandwidth),
            (0, Move(0, 0, 1, 1e6, 0)),
            (0, Move(1, 0, 2, 1e6, 0)),
            (0, Move(2, 2, 3, 1e6, 0)),
            (0, Move(3, 2, 4, 1e6, 0)));

        Assert.Equal(1.5, ends[0], 9);
        Assert.Equal((3.0, 3.0, 3.0), (Math.Round(ends[1], 9), Math.Round(ends[2], 9), Math.Round(ends[3], 9)));
    }

    public static Arbitrary<(int From, int To, int Kilobytes, int StartTenths)[]> TransferSets() =>
        (from count in Gen.Choose(1, 6)
         from set in Gen.ArrayOf(OneTransfer(), count)
         select set).ToArbitrary();

    private static Gen<(int From, int To, int Kilobytes, int StartTenths)> OneTransfer() =>
        from source in Gen.Choose(0, 3)
        from offset in Gen.Choose(1, 3)
        from kilobytes in Gen.Choose(100, 2000)
        from start in Gen.Choose(0, 20)
        select (source, (source + offset) % 4, kilobytes, start);

    [Property(MaxTest = 200, Arbitrary = [typeof(KvTransfersTests)])]
    public void Complete_AnyTransfers_NoneFasterThanItsLinkAndNoLinkOverCapacity((int From, int To, int Kilobytes, int StartTenths)[] set)
    {
        var starts = set.Select((t, i) => (t.StartTenths / 10.0, Move(i, t.From, t.To, t.Kilobytes * 1000.0, t.StartTenths / 10.0))).ToArray();

        var ends = Run(new KvTransfers(Bandwidth), starts);

        // Each transfer completes, never faster than alone on its links.
        Assert.Equal(set.Length, ends.Count);
        for (var i = 0; i < set.Length; i++)
        {
            Assert.True(ends[i] - starts[i].Item1 >= (set[i].Kilobytes * 1000.0 / Bandwidth) - 1e-9, $"transfer {i} beat its link");
        }

        // No link carries more than its bandwidth: the transfers using a link that start at or after t cannot all be done
        // before t plus their bytes over the bandwidth.
        for (var link = 0; link < 4; link++)
        {
            var users = Enumerable.Range(0, set.Length).Where(i => set[i].From == link || set[i].To == link).ToArray();
            foreach (var t in users.Select(i => starts[i].Item1).Distinct())
            {
                var later = users.Where(i => starts[i].Item1 >= t).ToArray();
                var bytes = later.Sum(i => set[i].Kilobytes * 1000.0);
                Assert.True(later.Max(i => ends[i]) >= t + (bytes / Bandwidth) - 1e-9, $"link {link} over capacity after {t}");
            }
        }
    }
}
