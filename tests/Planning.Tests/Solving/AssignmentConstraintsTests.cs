using Planning.Solving;

namespace Planning.Tests.Solving;

public sealed class AssignmentConstraintsTests
{
    [Fact]
    public void Justification_EveryFamily_HasItsOwnLine()
    {
        var lines = AssignmentConstraints.All.Select(family => family.Justification()).ToArray();

        Assert.Equal(Enum.GetValues<AssignmentConstraint>().Length, lines.Length);
        Assert.All(lines, line => Assert.False(string.IsNullOrWhiteSpace(line)));
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void All_IsInModelOrder()
    {
        Assert.Equal(AssignmentConstraint.EveryWorkPlaced, AssignmentConstraints.All[0]);
        Assert.Equal(AssignmentConstraint.SymmetryByLoad, AssignmentConstraints.All[^1]);
        Assert.Equal(AssignmentConstraints.All.OrderBy(family => (int)family), AssignmentConstraints.All);
    }
}
