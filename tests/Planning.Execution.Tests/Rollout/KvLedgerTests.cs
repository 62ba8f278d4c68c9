using Planning.Execution.Rollout;

namespace Planning.Execution.Tests.Rollout;

public sealed class KvLedgerTests
{
    private static (KvLedger Ledger, TrajectoryState[] Trajectories, RolloutRecorder Recorder) Ledger(int trajectories, long capacity)
    {
        TrajectoryState[] states = [.. Enumerable.Range(0, trajectories).Select(i => new TrajectoryState(RolloutTraces.Make(i, 10 + i, [5], [], [])))];
        var recorder = new RolloutRecorder(recordTurns: false, instances: 1);
        return (new KvLedger(states, [capacity], recorder), states, recorder);
    }

    [Fact]
    public void MakeRoom_FullOfCaches_EvictsTheLeastRecentlyUsedButNeverTheExcluded()
    {
        var (ledger, states, recorder) = Ledger(3, 100);
        ledger.Cache(0, 0, 40);
        ledger.Cache(1, 0, 30);
        ledger.Cache(2, 0, 20);

        Assert.True(ledger.MakeRoom(0, 50, exclude: 0));

        // Trajectory 0's cache is the oldest but excluded (the admitted turn reuses it): 1, then 2, go.
        Assert.Equal(0, states[0].CachedOn);
        Assert.Equal(-1, states[1].CachedOn);
        Assert.Equal(-1, states[2].CachedOn);
        Assert.Equal(2, recorder.Evictions);
        Assert.Equal(60, ledger.Free(0));
        Assert.Equal(90, ledger.Peak(0));
    }

    [Fact]
    public void MakeRoom_RunningReservationsLeaveNoRoom_FalseAndEvictsNothing()
    {
        var (ledger, states, recorder) = Ledger(3, 100);
        ledger.Reserve(0, 0, 70);
        ledger.Cache(1, 0, 20);

        Assert.False(ledger.MakeRoom(0, 40, exclude: -1));

        Assert.Equal(0, states[1].CachedOn);
        Assert.Equal(0, recorder.Evictions);
        Assert.False(ledger.FitsBesideRunning(0, 40));
        Assert.True(ledger.FitsBesideRunning(0, 30));
    }

    [Fact]
    public void Release_AfterReserve_FreesTheReservationAndKeepsThePeak()
    {
        var (ledger, states, _) = Ledger(2, 100);
        ledger.Reserve(0, 0, 60);
        ledger.Cache(1, 0, 30);
        ledger.Release(0, 0);
        ledger.DropCache(1);

        Assert.Equal(100, ledger.Free(0));
        Assert.Equal(90, ledger.Peak(0));
        Assert.Equal(60, states[0].Reservation);
        Assert.False(ledger.HoldsCaches(0));
        Assert.Equal(0, states[1].CachedTokens);
    }
}
