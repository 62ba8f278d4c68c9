using System.Globalization;
using System.Numerics;
using System.Text;

namespace Planning.Provers.Smt;

/// <summary>A parsed SMT-LIB s-expression: an atom (symbol, numeral, keyword, string) or a list.</summary>
internal sealed class SExpression
{
    private SExpression(string? atom, IReadOnlyList<SExpression>? items)
    {
        Atom = atom;
        Items = items;
    }

    /// <summary>The atom's text as written (strings keep their quotes); null for a list.</summary>
    public string? Atom { get; }

    /// <summary>The list's items; null for an atom.</summary>
    public IReadOnlyList<SExpression>? Items { get; }

    /// <summary>Parses one s-expression; the rest of the text must be white space.</summary>
    /// <exception cref="FormatException">The text is not one well-formed s-expression.</exception>
    public static SExpression Parse(string text)
    {
        var position = 0;
        var result = ParseAt(text, ref position);
        SkipSpace(text, ref position);
        if (position != text.Length)
        {
            throw new FormatException($"unexpected text after an s-expression at {position}: {text}");
        }

        return result;
    }

    /// <summary>
    /// The depth change of a line (opening minus closing parentheses outside strings and quoted symbols), to find where a
    /// multi-line response ends.
    /// </summary>
    public static int Balance(string line)
    {
        var depth = 0;
        var inString = false;
        var inSymbol = false;
        foreach (var c in line)
        {
            if (inString)
            {
                inString = c != '"';
            }
            else if (inSymbol)
            {
                inSymbol = c != '|';
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '|')
            {
                inSymbol = true;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
        }

        return depth;
    }

    /// <summary>The expression on one line, single spaces between items.</summary>
    public override string ToString()
    {
        if (Atom is not null)
        {
            return Atom;
        }

        var text = new StringBuilder("(");
        for (var i = 0; i < Items!.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : " ").Append(Items[i]);
        }

        return text.Append(')').ToString();
    }

    /// <summary>The value of a string atom without its quotes (doubled quotes undone); null if not a string.</summary>
    public string? StringValue() =>
        Atom is { Length: >= 2 } a && a[0] == '"' && a[^1] == '"' ? a[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : null;

    /// <summary>
    /// The value as a rational if the expression is a numeral, a decimal, or <c>(- x)</c> / <c>(/ x y)</c> of those
    /// (how Z3 prints integer and rational values).
    /// </summary>
    public bool TryRational(out BigInteger numerator, out BigInteger denominator)
    {
        numerator = BigInteger.Zero;
        denominator = BigInteger.One;
        if (Atom is not null)
        {
            return TryDecimal(Atom, out numerator, out denominator);
        }

        if (Items is [{ Atom: "-" }, var operand] && operand.TryRational(out var n, out var d))
        {
            numerator = -n;
            denominator = d;
            return true;
        }

        if (Items is [{ Atom: "/" }, var left, var right]
            && left.TryRational(out var ln, out var ld) && right.TryRational(out var rn, out var rd) && !rn.IsZero)
        {
            numerator = ln * rd;
            denominator = ld * rn;
            if (denominator.Sign < 0)
            {
                numerator = -numerator;
                denominator = -denominator;
            }

            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (!gcd.IsZero && !gcd.IsOne)
            {
                numerator /= gcd;
                denominator /= gcd;
            }

            return true;
        }

        return false;
    }

    private static bool TryDecimal(string atom, out BigInteger numerator, out BigInteger denominator)
    {
        numerator = BigInteger.Zero;
        denominator = BigInteger.One;
        var dot = atom.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? atom : atom[..dot];
        var fraction = dot < 0 ? string.Empty : atom[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (dot >= 0 && fraction.Length == 0))
        {
            return false;
        }

        numerator = BigInteger.Parse(whole + fraction, NumberStyles.None, CultureInfo.InvariantCulture);
        denominator = BigInteger.Pow(10, fraction.Length);
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsZero && !gcd.IsOne)
        {
            numerator /= gcd;
            denominator /= gcd;
        }

        return true;
    }

    private static SExpression ParseAt(string text, ref int position)
    {
        SkipSpace(text, ref position);
        if (position >= text.Length)
        {
            throw new FormatException("unexpected end of an s-expression: " + text);
        }

        var c = text[position];
        if (c == '(')
        {
            position++;
            var items = new List<SExpression>();
            while (true)
            {
                SkipSpace(text, ref position);
                if (position >= text.Length)
                {
                    throw new FormatException("unclosed '(' in: " + text);
                }

                if (text[position] == ')')
                {
                    position++;
                    return new SExpression(null, items);
                }

                items.Add(ParseAt(text, ref position));
            }
        }

        if (c == ')')
        {
            throw new FormatException($"unexpected ')' at {position}: {text}");
        }

        var start = position;
        if (c is '"' or '|')
        {
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw new FormatException("unclosed " + c + " in: " + text);
                }

                if (text[position] == c)
                {
                    // A doubled quote inside a string stands for one quote.
                    if (c == '"' && position + 1 < text.Length && text[position + 1] == '"')
                    {
                        position += 2;
                        continue;
                    }

                    position++;
                    break;
                }

                position++;
            }
        }
        else
        {
            while (position < text.Length && !char.IsWhiteSpace(text[position]) && text[position] is not ('(' or ')' or '"' or '|'))
            {
                position++;
            }
        }

        return new SExpression(text[start..position], null);
    }

    private static void SkipSpace(string text, ref int position)
    {
        while (position < text.Length)
        {
            if (char.IsWhiteSpace(text[position]))
            {
                position++;
            }
            else if (text[position] == ';')
            {
                while (position < text.Length && text[position] != '\n')
                {
                    position++;
                }
            }
            else
            {
                return;
            }
        }
    }
}
