using System.Collections.Immutable;
using System.Globalization;
using Planning.Graph;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// How <see cref="SocRuntimeExecutor"/> runs: its lanes and their thread budgets, how predicted kernel times become
/// real run times, and how the chunk models are calibrated.
/// </summary>
public sealed record SocRuntimeOptions
{
    /// <summary>The defaults.</summary>
    public static SocRuntimeOptions Default { get; } = new();

    /// <summary>
    /// The lanes: by default a cpu, an integrated GPU and an NPU stand-in with one intra-op and one inter-op thread
    /// each. The machine this was built on has 2 cores, so three single-threaded lanes already oversubscribe it when all
    /// three run at once; larger budgets would only make the lanes steal each other's cores.
    /// </summary>
    public ImmutableArray<SocLaneBudget> Lanes { get; init; } =
        [new(DeviceKind.Cpu), new(DeviceKind.IntegratedGpu), new(DeviceKind.Npu)];

    /// <summary>
    /// Real milliseconds per predicted millisecond: a kernel the scheduler predicts at p ms runs the chunk model at the
    /// rows the lane's calibration chooses for p x TimeScale ms. Default 1: kernels run as long as the cost model says
    /// they take on the SoC.
    /// </summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>The chunk model prefill kernels (every kind but the decode step) run. Default <see cref="SocChunkShape.Prefill"/>.</summary>
    public SocChunkShape PrefillShape { get; init; } = SocChunkShape.Prefill;

    /// <summary>The chunk model decode steps run. Default <see cref="SocChunkShape.Decode"/>.</summary>
    public SocChunkShape DecodeShape { get; init; } = SocChunkShape.Decode;

    /// <summary>Runs per calibration point, whose least time is taken (the least disturbed by other processes). Default 5.</summary>
    public int CalibrationRepeats { get; init; } = 5;

    /// <summary>The times, in ms, each calibration is checked at. Default 5, 20, 50 and 90 ms (kernels stay under 100 ms).</summary>
    public ImmutableArray<double> CalibrationTargetsMs { get; init; } = [5, 20, 50, 90];

    /// <summary>Checks the options; errors name the field.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="PlanningInputException">A field is out of range.</exception>
    public SocRuntimeOptions Validate()
    {
        if (Lanes.IsDefaultOrEmpty)
        {
            throw new PlanningInputException("lanes", "must name at least one lane");
        }

        for (var i = 0; i < Lanes.Length; i++)
        {
            if (Lanes[i] is null)
            {
                throw new PlanningInputException(Invariant($"lanes[{i}]"), "must be a lane budget");
            }

            Lanes[i].Validate(Invariant($"lanes[{i}]"));
        }

        if (Lanes.Select(l => l.Lane).Distinct().Count() != Lanes.Length)
        {
            throw new PlanningInputException("lanes", "must name each accelerator once");
        }

        if (!double.IsFinite(TimeScale) || TimeScale <= 0)
        {
            throw new PlanningInputException("timeScale", Invariant($"must be a finite number above 0, got {TimeScale}"));
        }

        Shape("prefillShape", PrefillShape);
        Shape("decodeShape", DecodeShape);
        if (PrefillShape.Name == DecodeShape.Name)
        {
            throw new PlanningInputException("decodeShape", $"must have another name than prefillShape, both are \"{DecodeShape.Name}\"");
        }

        if (CalibrationRepeats < 1)
        {
            throw new PlanningInputException("calibrationRepeats", Invariant($"must be at least 1, got {CalibrationRepeats}"));
        }

        if (CalibrationTargetsMs.IsDefault || CalibrationTargetsMs.Any(t => !double.IsFinite(t) || t <= 0))
        {
            throw new PlanningInputException("calibrationTargetsMs", "must be finite times above 0");
        }

        return this;
    }

    private static void Shape(string field, SocChunkShape shape)
    {
        if (string.IsNullOrEmpty(shape.Name) || shape.Width is < 1 or > 8192 || shape.Depth is < 1 or > 256)
        {
            throw new PlanningInputException(field, Invariant($"needs a name, a width from 1 to 8192 and a depth from 1 to 256, got \"{shape.Name}\" {shape.Width} x {shape.Depth}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
