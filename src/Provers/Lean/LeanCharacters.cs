using System.Text;

namespace Planning.Provers.Lean;

/// <summary>
/// Lean 4's identifier character classes (<c>Lean.isIdFirst</c>, <c>Lean.isIdRest</c>,
/// <c>Lean.isLetterLike</c>, <c>Lean.isSubScriptAlnum</c> in <c>Init/Meta</c>). Lean's letters are ASCII
/// letters plus fixed Unicode ranges, not every Unicode letter: Greek without <c>λ Π Σ</c>, the Letterlike
/// Symbols block (<c>ℕ ℝ</c>), the mathematical alphanumerics (<c>𝓝</c>) and the Latin-1 and Latin
/// Extended-A letters.
/// </summary>
internal static class LeanCharacters
{
    /// <summary>Whether <paramref name="rune"/> may start an identifier.</summary>
    public static bool IsIdFirst(Rune rune)
    {
        int value = rune.Value;
        return IsAsciiLetter(value) || value == '_' || IsLetterLike(value);
    }

    /// <summary>Whether <paramref name="rune"/> may continue an identifier.</summary>
    public static bool IsIdRest(Rune rune)
    {
        int value = rune.Value;
        return IsAsciiLetter(value)
            || value is >= '0' and <= '9'
            || value is '_' or '\'' or '!' or '?'
            || IsLetterLike(value)
            || IsSubscriptAlphanumeric(value);
    }

    /// <summary>Whether <paramref name="c"/> is an ASCII decimal digit.</summary>
    public static bool IsDigit(char c)
    {
        return c is >= '0' and <= '9';
    }

    private static bool IsAsciiLetter(int value)
    {
        return value is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');
    }

    private static bool IsLetterLike(int value)
    {
        return (value is >= 0x3B1 and <= 0x3C9 && value != 0x3BB)              // lower Greek but λ
            || (value is >= 0x391 and <= 0x3A9 && value is not 0x3A0 and not 0x3A3) // upper Greek but Π, Σ
            || value is >= 0x3CA and <= 0x3FB                                  // Coptic
            || value is >= 0x1F00 and <= 0x1FFE                                // polytonic Greek
            || value is >= 0x2100 and <= 0x214F                                // Letterlike Symbols: ℕ ℤ ℚ ℝ ℂ
            || value is >= 0x1D49C and <= 0x1D59F                              // script, double-struck, Fraktur: 𝓝
            || (value is >= 0xC0 and <= 0xFF && value is not 0xD7 and not 0xF7)   // Latin-1 letters but × ÷
            || value is >= 0x100 and <= 0x17F;                                 // Latin Extended-A
    }

    private static bool IsSubscriptAlphanumeric(int value)
    {
        return value is >= 0x2080 and <= 0x2089  // ₀ … ₉
            || value is >= 0x2090 and <= 0x209C  // ₐ … ₜ
            || value is >= 0x1D62 and <= 0x1D6A  // ᵢ … ᵪ
            || value == 0x2C7C;                  // ⱼ
    }
}
