using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Planning.Provers.Lean;

/// <summary>
/// The lexer's state over one source string: a cursor that tracks offset, line and column.
/// </summary>
/// <param name="source">The text to scan.</param>
internal sealed class LeanScanner(string source)
{
    private readonly string _source = source;
    private int _offset;
    private int _line = 1;
    private int _column = 1;

    private SourcePosition Position => new(_line, _column, _offset);

    private bool AtEnd => _offset >= _source.Length;

    /// <summary>Scans the whole source.</summary>
    /// <returns>Every token, in order.</returns>
    public ImmutableArray<LeanToken> ScanAll()
    {
        ImmutableArray<LeanToken>.Builder tokens = ImmutableArray.CreateBuilder<LeanToken>();
        while (true)
        {
            SkipTrivia();
            if (AtEnd)
            {
                return tokens.ToImmutable();
            }

            tokens.Add(ScanToken());
        }
    }

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            char c = _source[_offset];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                Advance();
            }
            else if (StartsWith("--"))
            {
                while (!AtEnd && _source[_offset] is not ('\n' or '\r'))
                {
                    Advance();
                }
            }
            else if (StartsWith("/-"))
            {
                SkipBlockComment();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipBlockComment()
    {
        SourcePosition start = Position;
        Advance(2);
        int depth = 1;
        while (depth > 0)
        {
            if (AtEnd)
            {
                throw new LeanSyntaxException(start, "unterminated block comment");
            }

            if (StartsWith("/-"))
            {
                depth++;
                Advance(2);
            }
            else if (StartsWith("-/"))
            {
                depth--;
                Advance(2);
            }
            else
            {
                Advance();
            }
        }
    }

    private LeanToken ScanToken()
    {
        SourcePosition start = Position;
        OperationStatus status = Rune.DecodeFromUtf16(_source.AsSpan(_offset), out Rune rune, out _);
        if (status != OperationStatus.Done)
        {
            throw new LeanSyntaxException(start, string.Create(
                CultureInfo.InvariantCulture, $"unexpected character (U+{(int)_source[_offset]:X4}, an unpaired surrogate)"));
        }

        if (LeanCharacters.IsIdFirst(rune))
        {
            return ScanName(start);
        }

        if (LeanCharacters.IsDigit(_source[_offset]))
        {
            return ScanNumber(start);
        }

        if (LeanSpellings.SymbolsByFirstChar.TryGetValue(_source[_offset], out ImmutableArray<(string Text, LeanTokenKind Kind)> candidates))
        {
            foreach ((string text, LeanTokenKind kind) in candidates)
            {
                if (StartsWith(text))
                {
                    Advance(text.Length);
                    return new LeanToken(kind, text, start);
                }
            }
        }

        throw new LeanSyntaxException(start, string.Create(
            CultureInfo.InvariantCulture, $"unexpected character '{rune}' (U+{rune.Value:X4})"));
    }

    private LeanToken ScanName(SourcePosition start)
    {
        ScanNamePart();
        while (PeekChar(0) == '.' && TryDecodeAt(_offset + 1, out Rune next) && LeanCharacters.IsIdFirst(next))
        {
            Advance();
            ScanNamePart();
        }

        string text = _source[start.Offset.._offset];
        LeanTokenKind kind = LeanSpellings.Words.TryGetValue(text, out LeanTokenKind word) ? word : LeanTokenKind.Identifier;
        return new LeanToken(kind, text, start);
    }

    private void ScanNamePart()
    {
        Advance();
        while (TryDecodeAt(_offset, out Rune rune) && LeanCharacters.IsIdRest(rune))
        {
            Advance();
        }
    }

    private LeanToken ScanNumber(SourcePosition start)
    {
        LeanTokenKind kind = LeanTokenKind.NatLiteral;
        SkipDigits();
        if (PeekChar(0) == '.' && LeanCharacters.IsDigit(PeekChar(1)))
        {
            kind = LeanTokenKind.DecimalLiteral;
            Advance();
            SkipDigits();
        }

        if (PeekChar(0) is 'e' or 'E')
        {
            int signLength = PeekChar(1) is '+' or '-' ? 1 : 0;
            if (LeanCharacters.IsDigit(PeekChar(1 + signLength)))
            {
                kind = LeanTokenKind.DecimalLiteral;
                Advance(1 + signLength);
                SkipDigits();
            }
        }

        return new LeanToken(kind, _source[start.Offset.._offset], start);
    }

    private void SkipDigits()
    {
        while (LeanCharacters.IsDigit(PeekChar(0)))
        {
            Advance();
        }
    }

    private char PeekChar(int ahead)
    {
        int index = _offset + ahead;
        return index < _source.Length ? _source[index] : '\0';
    }

    private bool TryDecodeAt(int index, out Rune rune)
    {
        if (index >= _source.Length)
        {
            rune = default;
            return false;
        }

        return Rune.DecodeFromUtf16(_source.AsSpan(index), out rune, out _) == OperationStatus.Done;
    }

    private bool StartsWith(string text)
    {
        return _source.AsSpan(_offset).StartsWith(text, StringComparison.Ordinal);
    }

    /// <summary>Moves past <paramref name="characters"/> characters (Unicode scalar values or line breaks).</summary>
    private void Advance(int characters = 1)
    {
        for (int i = 0; i < characters && !AtEnd; i++)
        {
            char c = _source[_offset];
            if (c == '\n' || (c == '\r' && PeekChar(1) != '\n'))
            {
                _offset++;
                _line++;
                _column = 1;
            }
            else if (c == '\r')
            {
                // The '\r' of "\r\n": the '\n' that follows ends the line.
                _offset++;
            }
            else
            {
                _offset += char.IsHighSurrogate(c) && char.IsLowSurrogate(PeekChar(1)) ? 2 : 1;
                _column++;
            }
        }
    }
}
