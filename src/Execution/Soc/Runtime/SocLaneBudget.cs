using System.Globalization;
using Planning.Graph;

namespace Planning.Execution.Soc.Runtime;

/// <summary>
/// One lane of the real executor: the accelerator it stands in for and the CPU threads its ONNX Runtime sessions may
/// use. Every lane runs on the CPU execution provider (the only one here); what makes it a lane is its own thread, its
/// own sessions and its own thread budget.
/// </summary>
/// <param name="Lane">The accelerator the lane stands in for.</param>
/// <param name="IntraOpThreads">ONNX Runtime's intra-op threads for the lane's sessions (1: the lane's own thread runs every operator, no thread pool).</param>
/// <param name="InterOpThreads">ONNX Runtime's inter-op threads (the sessions execute sequentially, so 1 suffices).</param>
public sealed record SocLaneBudget(DeviceKind Lane, int IntraOpThreads = 1, int InterOpThreads = 1)
{
    /// <summary>Checks the budget; errors name the field.</summary>
    /// <param name="field">The field the budget was read from, for errors.</param>
    /// <returns>This budget.</returns>
    /// <exception cref="PlanningInputException">A thread count below 1, or a lane that is not a CPU, iGPU or NPU.</exception>
    public SocLaneBudget Validate(string field = "lanes")
    {
        if (Lane is not (DeviceKind.Cpu or DeviceKind.IntegratedGpu or DeviceKind.Npu))
        {
            throw new PlanningInputException(field, $"a lane must stand for a cpu, integrated GPU or NPU, got {Lane}");
        }

        if (IntraOpThreads < 1 || InterOpThreads < 1)
        {
            throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"lane {Lane}: thread budgets must be at least 1, got intra-op {IntraOpThreads}, inter-op {InterOpThreads}"));
        }

        return this;
    }
}
