using System.Collections.Concurrent;
using System.Diagnostics;
using Planning.Execution.Soc.Runtime;
using Planning.Graph;

namespace Planning.Execution.Tests.Soc.Runtime;

public sealed class OnnxLaneTests
{
    // Deep and narrow: 128 nodes, so a terminate lands within a few ms of the flag even on a loaded machine.
    private static readonly SocChunkShape Deep = new("deep", 128, 64);
    private static readonly SocChunkShape Small = new("small", 8, 2);

    [Fact]
    public void Terminate_InFlightRun_AbortsItLongBeforeItWouldEndAndTheLaneRunsTheNextJob()
    {
        using var harness = new LaneHarness([Deep, Small]);
        var lane = harness.Lane;
        lane.Measure(Deep, 256); // the first run of a session pays its set-up
        var perRowMs = lane.Measure(Deep, 256) / 256;
        var rows = (int)Math.Ceiling(6000 / perRowMs); // about 6 s uninterrupted on an idle core
        lane.Start(new LaneJob(1, Deep, rows));
        Thread.Sleep(150);
        Assert.True(lane.Terminate(1));
        var flagged = harness.Clock.Elapsed.TotalMilliseconds;
        var aborted = harness.Next();

        Assert.True(aborted.Aborted);
        Assert.Null(aborted.Failure);
        Assert.Equal(1, aborted.Job.Id);
        // Stopped between two of its 128 nodes (about 50 ms apart on an idle core), not after ~6 s; the bound leaves
        // room for a machine loaded many times over.
        Assert.InRange(aborted.EndMs - flagged, -1, 3000);

        // The flag was reset: the next job completes and computes the model's output.
        lane.Start(new LaneJob(2, Small, 3));
        var completed = harness.Next();
        Assert.False(completed.Aborted);
        Assert.Equal(2, completed.Job.Id);
        var expected = OnnxChunkModelTests.ForwardPass(Small, Enumerable.Repeat(1f, 3 * Small.Width).ToArray(), 3);
        var actual = lane.LastOutput(Small, 3);
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-5));
        Assert.False(lane.IsBusy);
    }

    [Fact]
    public void Terminate_JobThatAlreadyEnded_ReturnsFalseAndLeavesTheNextJobAlone()
    {
        using var harness = new LaneHarness([Small]);
        harness.Lane.Start(new LaneJob(1, Small, 4));
        Assert.False(harness.Next().Aborted);

        Assert.False(harness.Lane.Terminate(1));
        harness.Lane.Start(new LaneJob(2, Small, 4));
        Assert.False(harness.Next().Aborted);
    }

    [Fact]
    public void Terminate_QueuedJob_AbortsItWhenItStarts()
    {
        using var harness = new LaneHarness([Deep, Small]);
        harness.Lane.Start(new LaneJob(7, Deep, 4096));
        Assert.True(harness.Lane.Terminate(7)); // queued or just started: either way it must not run to its end
        var outcome = harness.Next();

        // Aborted means ONNX Runtime threw on the flag: a run that had reached its end would have returned.
        Assert.True(outcome.Aborted);
        Assert.Null(outcome.Failure);
        harness.Lane.Start(new LaneJob(8, Small, 2));
        Assert.False(harness.Next().Aborted);
    }

    [Fact]
    public void Start_BusyLane_Throws()
    {
        using var harness = new LaneHarness([Deep]);
        var perRowMs = harness.Lane.Measure(Deep, 64) / 64;
        harness.Lane.Start(new LaneJob(1, Deep, (int)Math.Ceiling(2000 / perRowMs)));
        Assert.True(harness.Lane.IsBusy);
        Assert.Throws<InvalidOperationException>(() => harness.Lane.Start(new LaneJob(2, Deep, 1)));
        harness.Lane.Terminate(1);
        Assert.True(harness.Next().Aborted);
    }

    [Fact]
    public void Constructor_ZeroThreads_ThrowsNamingLanes()
    {
        var error = Assert.Throws<PlanningInputException>(() => new OnnxLane(new SocLaneBudget(DeviceKind.Npu, 0), [Small], () => 0, _ => { }));
        Assert.Equal("lanes", error.Field);
    }

    /// <summary>A lane whose outcomes land in a queue the test reads, with a clock in ms.</summary>
    private sealed class LaneHarness : IDisposable
    {
        private readonly BlockingCollection<LaneOutcome> outcomes = [];

        public LaneHarness(SocChunkShape[] shapes)
        {
            Clock = Stopwatch.StartNew();
            Lane = new OnnxLane(new SocLaneBudget(DeviceKind.Npu), shapes, () => Clock.Elapsed.TotalMilliseconds, outcomes.Add);
        }

        public Stopwatch Clock { get; }

        public OnnxLane Lane { get; }

        public LaneOutcome Next()
        {
            Assert.True(outcomes.TryTake(out var outcome, TimeSpan.FromSeconds(30)), "the lane reported nothing in 30 s");
            return outcome;
        }

        public void Dispose()
        {
            Lane.Dispose();
            outcomes.Dispose();
        }
    }
}
