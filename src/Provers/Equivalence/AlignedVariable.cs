using Planning.Provers.Formal;

namespace Planning.Provers.Equivalence;

/// <summary>A variable of the second statement identified with a variable of the first (both have <see cref="Type"/>).</summary>
/// <param name="Second">The variable's name in the second statement.</param>
/// <param name="First">The name of the first statement's variable it stands for.</param>
/// <param name="Type">The type of both variables.</param>
/// <param name="Method">How the pair was matched.</param>
public sealed record AlignedVariable(string Second, string First, FormalType Type, AlignmentMethod Method);
