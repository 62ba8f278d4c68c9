using System.Globalization;

namespace Planning.Provers.Lean;

/// <summary>
/// A place in Lean source text.
/// </summary>
/// <param name="Line">The 1-based line; <c>\n</c>, <c>\r\n</c> and a lone <c>\r</c> each end a line.</param>
/// <param name="Column">
/// The 1-based column, counted in Unicode scalar values (what an editor shows as characters), so
/// <c>h₀</c> is two columns wide and <c>𝓝</c>, a surrogate pair in UTF-16, is one.
/// </param>
/// <param name="Offset">The 0-based index of the UTF-16 code unit in the source string.</param>
public readonly record struct SourcePosition(int Line, int Column, int Offset)
{
    /// <summary>The position of the first character of any text: line 1, column 1, offset 0.</summary>
    public static SourcePosition Start { get; } = new(1, 1, 0);

    /// <summary>Formats the position as <c>line L, column C</c>, the form used in error messages.</summary>
    /// <returns>The line and column, for example <c>line 3, column 7</c>.</returns>
    public override string ToString()
    {
        return string.Create(CultureInfo.InvariantCulture, $"line {Line}, column {Column}");
    }
}
