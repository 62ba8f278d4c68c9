namespace Planning.Provers.Selection;

/// <summary>
/// How the normalised symbolic score <c>p</c> and semantic score <c>q</c> of a candidate combine into one, with weight
/// α on the symbolic side (Li et al., NeurIPS 2024, "Autoformalize Mathematical Statements by Symbolic Equivalence and
/// Semantic Consistency"; the definitions match the authors' released evaluation code). <c>p</c> and <c>q</c> are
/// softmax-normalised over the candidates that parse.
/// </summary>
public enum ScoreCombination
{
    /// <summary>
    /// log-comb: <c>α·log p + (1 − α)·log q</c>, the logarithm of <c>p^α · q^(1−α)</c>; the paper's main combination.
    /// Because <c>log softmax(x)ᵢ = xᵢ − log Σⱼ exp xⱼ</c>, it ranks candidates exactly as <c>α·x + (1 − α)·y</c> on
    /// the raw scores does.
    /// </summary>
    Log,

    /// <summary>linear-comb: <c>α·p + (1 − α)·q</c>.</summary>
    Linear,

    /// <summary>quad-comb: <c>α·p² + (1 − α)·q²</c>.</summary>
    Quadratic,
}
