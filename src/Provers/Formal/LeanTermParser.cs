using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;

using Planning.Provers.Lean;

namespace Planning.Provers.Formal;

/// <summary>
/// A precedence-climbing parser from Lean tokens to the untyped <see cref="Syntax"/> tree, following Lean 4's
/// notation table: <c>↔</c> 20, <c>→</c> 25 (right), <c>∨</c> 30 (right), <c>∧</c> 35 (right), <c>¬</c> (argument at
/// 40), relations 50 (not associative), <c>+ -</c> 65 (left), <c>* / %</c> 70 (left), <c>^</c> 75 (right), prefix
/// <c>-</c> 75, application and <c>↑</c> at max, postfix <c>!</c> and <c>⁻¹</c> on atoms.
/// </summary>
internal sealed class LeanTermParser
{
    /// <summary>Lean's <c>maxPrec</c>: atoms, and what an application argument must be.</summary>
    public const int MaxPrecedence = 1024;

    /// <summary>Lean's <c>leadPrec</c>: applications, binders (<c>∀ ∃ ∑ fun</c>).</summary>
    public const int LeadPrecedence = 1023;

    /// <summary>How deeply terms may nest before the parser gives up (a guard against stack exhaustion).</summary>
    private const int MaxDepth = 200;

    private readonly ImmutableArray<LeanToken> _tokens;
    private readonly SourcePosition _end;
    private readonly LeanSyntaxException? _lexError;
    private int _index;
    private int _depth;

    private LeanTermParser(ImmutableArray<LeanToken> tokens, SourcePosition end, LeanSyntaxException? lexError)
    {
        _tokens = tokens;
        _end = end;
        _lexError = lexError;
    }

    private bool AtEnd => _index >= _tokens.Length;

    private LeanToken Current => _tokens[_index];

    /// <summary>Tokenizes and parses a whole theorem statement.</summary>
    public static TheoremSyntax ParseTheorem(string source)
    {
        ImmutableArray<LeanToken> tokens;
        LeanSyntaxException? lexError = null;
        try
        {
            tokens = LeanLexer.Tokenize(source);
        }
        catch (LeanSyntaxException exception)
        {
            // A character the lexer rejects may sit in the proof, which is ignored: parse the text before it, and
            // report the lexer's error only if the statement does not end (with ':=') before that point.
            lexError = exception;
            try
            {
                tokens = LeanLexer.Tokenize(source[..exception.Position.Offset]);
            }
            catch (LeanSyntaxException)
            {
                throw LexFailure(exception);
            }
        }

        return new LeanTermParser(tokens, EndPosition(source), lexError).ParseTheoremCore();
    }

    private static FormalParseException LexFailure(LeanSyntaxException exception)
    {
        return new FormalParseException(FormalParseErrorKind.Syntax, exception.Position, exception.Reason, innerException: exception);
    }

    private static SourcePosition EndPosition(string source)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= source.Length || source[i + 1] != '\n')))
            {
                line++;
                column = 1;
            }
            else if (c != '\r' && !char.IsLowSurrogate(c))
            {
                column++;
            }
        }

        return new SourcePosition(line, column, source.Length);
    }

    private TheoremSyntax ParseTheoremCore()
    {
        if (AtEnd || Current.Kind is not (LeanTokenKind.Theorem or LeanTokenKind.Lemma))
        {
            throw Expected("'theorem'");
        }

        _index++;
        if (AtEnd || Current.Kind != LeanTokenKind.Identifier)
        {
            throw Expected("the theorem's name");
        }

        string name = Current.Text;
        _index++;

        ImmutableArray<TheoremBinderSyntax>.Builder binders = ImmutableArray.CreateBuilder<TheoremBinderSyntax>();
        while (!AtEnd && Current.Kind is LeanTokenKind.LeftParen or LeanTokenKind.LeftBrace or LeanTokenKind.LeftBracket)
        {
            binders.Add(ParseTheoremBinder());
        }

        Expect(LeanTokenKind.Colon, "':' before the conclusion");
        Syntax conclusion = ParseTerm(0);
        if (!AtEnd && Current.Kind != LeanTokenKind.ColonEquals)
        {
            throw Expected("':=' or the end of the statement");
        }

        if (AtEnd && _lexError is not null)
        {
            throw LexFailure(_lexError);
        }

        return new TheoremSyntax(name, binders.ToImmutable(), conclusion);
    }

    private TheoremBinderSyntax ParseTheoremBinder()
    {
        LeanToken open = Current;
        if (open.Kind == LeanTokenKind.LeftBracket)
        {
            throw FormalParseException.Unsupported(open.Position, "instance binder [ … ]");
        }

        _index++;
        LeanTokenKind close = open.Kind == LeanTokenKind.LeftParen ? LeanTokenKind.RightParen : LeanTokenKind.RightBrace;
        ImmutableArray<(string Name, SourcePosition Position)> names = ParseBinderNames();
        if (names.IsEmpty)
        {
            throw Expected("a binder name");
        }

        if (!AtEnd && Current.Kind == close)
        {
            throw FormalParseException.Unsupported(open.Position, "binder without a type");
        }

        Expect(LeanTokenKind.Colon, "':' after the binder names");
        Syntax type = ParseTerm(0);
        Expect(close, close == LeanTokenKind.RightParen ? "')'" : "'}'");
        return new TheoremBinderSyntax(open.Position, names, type);
    }

    private ImmutableArray<(string Name, SourcePosition Position)> ParseBinderNames()
    {
        ImmutableArray<(string Name, SourcePosition Position)>.Builder names = ImmutableArray.CreateBuilder<(string, SourcePosition)>();
        while (!AtEnd && Current.Kind is LeanTokenKind.Identifier or LeanTokenKind.Hole)
        {
            names.Add((Current.Text, Current.Position));
            _index++;
        }

        return names.ToImmutable();
    }

    /// <summary>Parses a term whose operators all bind at least as tightly as <paramref name="minPrecedence"/>.</summary>
    public Syntax ParseTerm(int minPrecedence)
    {
        (Syntax left, int level) = ParseLeading();
        while (!AtEnd)
        {
            LeanToken token = Current;
            if (level >= MaxPrecedence && TryParsePostfix(ref left))
            {
                continue;
            }

            if (level >= MaxPrecedence && minPrecedence <= LeadPrecedence && IsArgumentStart())
            {
                ImmutableArray<Syntax>.Builder arguments = ImmutableArray.CreateBuilder<Syntax>();
                while (!AtEnd && IsArgumentStart())
                {
                    arguments.Add(ParseArgument());
                }

                left = left switch
                {
                    NameSyntax { Name: "Nat.ofDigits" } when arguments is [Syntax radix, ListSyntax digits] => OfDigits(radix, digits),
                    NameSyntax { Name: "Function.Injective" } when arguments is [NameSyntax function] => Injective(function),
                    FieldSyntax { Target: ListSyntax list, Field: "Pairwise" } when arguments is [RelationSectionSyntax relation] => Pairwise(list, relation),
                    NameSyntax { Name: "List.Pairwise" } when arguments is [RelationSectionSyntax relation, ListSyntax list] => Pairwise(list, relation),
                    _ => new ApplicationSyntax(left.Position, left, arguments.ToImmutable()),
                };
                level = LeadPrecedence;
                continue;
            }

            ThrowIfUnsupportedOperator(token);
            if (!TryGetInfix(token.Kind, out SyntaxOperator op, out int precedence, out int leftMin, out int rightMin)
                || precedence < minPrecedence || level < leftMin)
            {
                break;
            }

            _index++;
            Syntax right = ParseTerm(rightMin);
            if (token.Kind == LeanTokenKind.Congruent)
            {
                left = ParseModulus(left, right, token);
            }
            else if (token.Kind == LeanTokenKind.RatSlash)
            {
                left = new NotationSyntax(left.Position, FormalFunction.RatDivInt, [left, right]);
            }
            else if (token.Kind == LeanTokenKind.Preimage)
            {
                left = Preimage(left, right, token);
            }
            else if (token.Kind is LeanTokenKind.Subset or LeanTokenKind.SubsetEqual)
            {
                left = Subset(left, right, strict: token.Kind == LeanTokenKind.Subset, token);
            }
            else if (op == SyntaxOperator.Equal && (Digits(left, right, token) ?? Digits(right, left, token)) is { } digits)
            {
                left = digits;
            }
            else if (op is SyntaxOperator.Member or SyntaxOperator.NotMember && DigitMember(left, right, token) is { } member)
            {
                left = op == SyntaxOperator.Member ? member : new NotSyntax(token.Position, member);
            }
            else
            {
                left = new BinarySyntax(left.Position, op, left, right, token.Position);
            }

            level = precedence;
        }

        return left;
    }

    private NotationSyntax ParseModulus(Syntax left, Syntax right, LeanToken congruent)
    {
        Expect(LeanTokenKind.LeftBracket, "'[MOD n]' after '≡'");
        if (AtEnd || Current.Kind != LeanTokenKind.Identifier || Current.Text is not ("MOD" or "ZMOD"))
        {
            if (!AtEnd && Current.Kind == LeanTokenKind.Identifier)
            {
                throw FormalParseException.Unsupported(Current.Position, "≡ [" + Current.Text + "]");
            }

            throw Expected("'MOD' or 'ZMOD'");
        }

        FormalFunction function = Current.Text == "MOD" ? FormalFunction.NatModEq : FormalFunction.IntModEq;
        _index++;
        Syntax modulus = ParseTerm(0);
        Expect(LeanTokenKind.RightBracket, "']'");
        return new NotationSyntax(congruent.Position, function, [modulus, left, right]);
    }

    /// <summary>
    /// <c>f ⁻¹' s</c> (Set.preimage) as the set it unfolds to, <c>{x | f x ∈ s}</c>, with a binder name that no
    /// identifier of the statement uses; the elaborator infers its type from <c>f</c>.
    /// </summary>
    private SetBuilderSyntax Preimage(Syntax function, Syntax set, LeanToken token)
    {
        string name = FreshBinder();
        NameSyntax element = new(token.Position, name);
        Syntax image = new ApplicationSyntax(function.Position, function, [element]);
        return new SetBuilderSyntax(function.Position, name, token.Position, null, new BinarySyntax(function.Position, SyntaxOperator.Member, image, set, token.Position));
    }

    private static void ThrowIfUnsupportedOperator(LeanToken token)
    {
        string? construct = token.Kind switch
        {
            LeanTokenKind.Image => "image ''",
            LeanTokenKind.SetMinus => "set difference \\",
            LeanTokenKind.Intersection => "intersection ∩",
            LeanTokenKind.Union => "union ∪",
            LeanTokenKind.Smul => "scalar multiplication •",
            _ => null,
        };
        if (construct is not null)
        {
            throw FormalParseException.Unsupported(token.Position, construct);
        }
    }

    private static bool TryGetInfix(LeanTokenKind kind, out SyntaxOperator op, out int precedence, out int leftMin, out int rightMin)
    {
        (op, precedence, leftMin, rightMin) = kind switch
        {
            LeanTokenKind.Iff => (SyntaxOperator.Iff, 20, 21, 21),
            LeanTokenKind.Arrow => (SyntaxOperator.Arrow, 25, 26, 25),
            LeanTokenKind.Or => (SyntaxOperator.Or, 30, 31, 30),
            LeanTokenKind.And => (SyntaxOperator.And, 35, 36, 35),
            LeanTokenKind.Equal => (SyntaxOperator.Equal, 50, 51, 51),
            LeanTokenKind.NotEqual => (SyntaxOperator.NotEqual, 50, 51, 51),
            LeanTokenKind.Less => (SyntaxOperator.Less, 50, 51, 51),
            LeanTokenKind.LessEqual => (SyntaxOperator.LessEqual, 50, 51, 51),
            LeanTokenKind.Greater => (SyntaxOperator.Greater, 50, 51, 51),
            LeanTokenKind.GreaterEqual => (SyntaxOperator.GreaterEqual, 50, 51, 51),
            LeanTokenKind.Divides => (SyntaxOperator.Divides, 50, 51, 51),
            LeanTokenKind.Member => (SyntaxOperator.Member, 50, 51, 51),
            LeanTokenKind.NotMember => (SyntaxOperator.NotMember, 50, 51, 51),
            LeanTokenKind.Subset or LeanTokenKind.SubsetEqual => (SyntaxOperator.Member, 50, 51, 51), // rewritten by Subset
            LeanTokenKind.Congruent => (SyntaxOperator.Equal, 50, 51, 51),
            LeanTokenKind.Plus => (SyntaxOperator.Add, 65, 65, 66),
            LeanTokenKind.Minus => (SyntaxOperator.Subtract, 65, 65, 66),
            LeanTokenKind.Star => (SyntaxOperator.Multiply, 70, 70, 71),
            LeanTokenKind.Slash => (SyntaxOperator.Divide, 70, 70, 71),
            LeanTokenKind.Percent => (SyntaxOperator.Modulo, 70, 70, 71),
            LeanTokenKind.RatSlash => (SyntaxOperator.Divide, 70, 70, 71),
            LeanTokenKind.Caret => (SyntaxOperator.Power, 75, 76, 75),
            LeanTokenKind.Preimage => (SyntaxOperator.Member, 80, 81, 81), // Mathlib: infix:80; rewritten by Preimage
            _ => (SyntaxOperator.Add, -1, 0, 0),
        };
        return precedence >= 0;
    }

    private bool IsArgumentStart()
    {
        LeanTokenKind kind = Current.Kind;
        if (kind == LeanTokenKind.LeftBracket)
        {
            // A list literal, but not the `[MOD n]` that ends a congruence.
            return _index + 1 >= _tokens.Length
                || _tokens[_index + 1] is not { Kind: LeanTokenKind.Identifier, Text: "MOD" or "ZMOD" or "PMOD" or "SMOD" };
        }

        if (kind == LeanTokenKind.Bar)
        {
            // Lean's |a| has no space after the opening bar and none before the closing one, so a bar that follows a
            // space and is followed by a token opens an argument; one right after a token closes an enclosing |…|.
            return _index > 0 && !Adjacent(_tokens[_index - 1], Current)
                && _index + 1 < _tokens.Length && Adjacent(Current, _tokens[_index + 1]);
        }

        return kind is LeanTokenKind.Identifier or LeanTokenKind.NatLiteral or LeanTokenKind.DecimalLiteral
            or LeanTokenKind.NatType or LeanTokenKind.IntType or LeanTokenKind.RatType or LeanTokenKind.RealType or LeanTokenKind.ComplexType
            or LeanTokenKind.LeftParen or LeanTokenKind.LeftFloor or LeanTokenKind.LeftCeil or LeanTokenKind.LeftBrace
            or LeanTokenKind.Coercion or LeanTokenKind.Hole or LeanTokenKind.LeftAngle or LeanTokenKind.CenterDot;
    }

    /// <summary>Parses an application argument: an atom (or <c>↑atom</c>) with its postfix operators.</summary>
    private Syntax ParseArgument()
    {
        (Syntax argument, _) = ParseLeading();
        while (!AtEnd && TryParsePostfix(ref argument))
        {
        }

        return argument;
    }

    private bool TryParsePostfix(ref Syntax left)
    {
        LeanToken token = Current;
        switch (token.Kind)
        {
            case LeanTokenKind.Inverse:
                _index++;
                left = new NotationSyntax(left.Position, FormalFunction.Inverse, [left]);
                return true;
            case LeanTokenKind.Bang:
                _index++;
                left = new NotationSyntax(left.Position, FormalFunction.Factorial, [left]);
                return true;
            case LeanTokenKind.Dot:
                _index++;
                if (!AtEnd && Current.Kind == LeanTokenKind.Identifier)
                {
                    left = new FieldSyntax(left.Position, left, Current.Text, Current.Position);
                    _index++;
                    return true;
                }

                if (!AtEnd && Current.Kind == LeanTokenKind.NatLiteral && Current.Text is "1" or "2")
                {
                    left = new ProjectionSyntax(left.Position, left, Current.Text == "1" ? 1 : 2, token.Position);
                    _index++;
                    return true;
                }

                if (!AtEnd && Current.Kind == LeanTokenKind.NatLiteral)
                {
                    throw FormalParseException.Unsupported(token.Position, "projection ." + Current.Text);
                }

                throw Expected("a field name after '.'");
            default:
                return false;
        }
    }

    private (Syntax Syntax, int Level) ParseLeading()
    {
        if (AtEnd)
        {
            throw Expected("a term");
        }

        if (++_depth > MaxDepth)
        {
            throw FormalParseException.Syntax(Current.Position, "the statement is nested too deeply");
        }

        try
        {
            return ParseLeadingCore();
        }
        finally
        {
            _depth--;
        }
    }

    private (Syntax Syntax, int Level) ParseLeadingCore()
    {

        LeanToken token = Current;
        SourcePosition position = token.Position;
        switch (token.Kind)
        {
            case LeanTokenKind.Identifier:
                _index++;
                return (new NameSyntax(position, token.Text), MaxPrecedence);
            case LeanTokenKind.NatLiteral:
                _index++;
                return (new NumberSyntax(position, BigInteger.Parse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture)), MaxPrecedence);
            case LeanTokenKind.DecimalLiteral:
                _index++;
                return (ParseScientific(token), MaxPrecedence);
            case LeanTokenKind.NatType:
                _index++;
                if (!AtEnd && Current.Kind == LeanTokenKind.Plus && Adjacent(token, Current))
                {
                    _index++;
                    return (new PositiveNatSyntax(position), MaxPrecedence);
                }

                return (new TypeAtomSyntax(position, FormalType.Nat), MaxPrecedence);
            case LeanTokenKind.IntType:
                _index++;
                return (new TypeAtomSyntax(position, FormalType.Int), MaxPrecedence);
            case LeanTokenKind.RatType:
                _index++;
                return (new TypeAtomSyntax(position, FormalType.Rat), MaxPrecedence);
            case LeanTokenKind.ComplexType:
                _index++;
                return (new TypeAtomSyntax(position, FormalType.Complex), MaxPrecedence);
            case LeanTokenKind.RealType:
                _index++;
                if (_index + 1 < _tokens.Length && Current.Kind == LeanTokenKind.GreaterEqual && Adjacent(token, Current)
                    && _tokens[_index + 1] is { Kind: LeanTokenKind.NatLiteral, Text: "0" } zero && Adjacent(Current, zero))
                {
                    _index += 2;
                    return (new TypeAtomSyntax(position, FormalType.NNReal), MaxPrecedence);
                }

                return (new TypeAtomSyntax(position, FormalType.Real), MaxPrecedence);
            case LeanTokenKind.LeftParen:
                return (ParseParenthesized(), MaxPrecedence);
            case LeanTokenKind.Bar:
                return (ParseEnclosed(FormalFunction.Abs, LeanTokenKind.Bar, "'|'"), MaxPrecedence);
            case LeanTokenKind.NormBar:
                // The norm of a number is its absolute value; Complex.abs (after the cast ℕ, ℤ, ℚ, ℝ → ℂ) gives it for
                // every number type, and is what Mathlib's norm on ℂ is.
                return (ParseEnclosed(FormalFunction.ComplexAbs, LeanTokenKind.NormBar, "'‖'"), MaxPrecedence);
            case LeanTokenKind.LeftFloor:
                return (ParseEnclosed(FormalFunction.IntFloor, LeanTokenKind.RightFloor, "'⌋'"), MaxPrecedence);
            case LeanTokenKind.LeftCeil:
                return (ParseEnclosed(FormalFunction.IntCeil, LeanTokenKind.RightCeil, "'⌉'"), MaxPrecedence);
            case LeanTokenKind.Coercion:
                _index++;
                return (new CoercionSyntax(position, ParseArgument()), MaxPrecedence);
            case LeanTokenKind.Not:
                _index++;
                return (new NotSyntax(position, ParseTerm(40)), MaxPrecedence);
            case LeanTokenKind.Minus:
                _index++;
                return (new NegateSyntax(position, ParseTerm(75)), 75);
            case LeanTokenKind.Sqrt:
                _index++;
                return (new NotationSyntax(position, FormalFunction.RealSqrt, [ParseTerm(100)]), 100);
            case LeanTokenKind.ForAll or LeanTokenKind.Exists or LeanTokenKind.ExistsUnique:
                return (ParseQuantifier(), LeadPrecedence);
            case LeanTokenKind.BigSum or LeanTokenKind.BigProduct:
                return (ParseBigOperator(), LeadPrecedence);
            case LeanTokenKind.LeftBrace:
                return (ParseSetBuilder(), MaxPrecedence);
            case LeanTokenKind.Fun:
                return (ParseLambda(), LeadPrecedence);
            case LeanTokenKind.LeftAngle:
                throw FormalParseException.Unsupported(position, "anonymous constructor ⟨ ⟩");
            case LeanTokenKind.LeftBracket:
                return (ParseList(), MaxPrecedence);
            case LeanTokenKind.CenterDot:
                throw FormalParseException.Unsupported(position, "anonymous-function dot ·");
            case LeanTokenKind.Hole:
                throw FormalParseException.Unsupported(position, "hole _");
            case LeanTokenKind.Let or LeanTokenKind.Have or LeanTokenKind.Show or LeanTokenKind.From:
                throw FormalParseException.Unsupported(position, token.Text);
            default:
                throw Expected("a term");
        }
    }

    private static ScientificSyntax ParseScientific(LeanToken token)
    {
        string text = token.Text;
        int exponentAt = text.IndexOfAny(['e', 'E']);
        string digits = exponentAt < 0 ? text : text[..exponentAt];
        int exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = digits.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            exponent -= digits.Length - dot - 1;
            digits = digits.Remove(dot, 1);
        }

        return new ScientificSyntax(token.Position, BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture), exponent);
    }

    private static bool Adjacent(LeanToken first, LeanToken second)
    {
        return first.Position.Offset + first.Text.Length == second.Position.Offset;
    }

    private Syntax ParseParenthesized()
    {
        LeanToken open = Current;
        _index++;
        if (!AtEnd && Current.Kind == LeanTokenKind.RightParen)
        {
            throw FormalParseException.Unsupported(open.Position, "unit ()");
        }

        // A relation section (· R ·): both operands anonymous.
        if (_index + 3 < _tokens.Length && Current.Kind == LeanTokenKind.CenterDot && _tokens[_index + 2].Kind == LeanTokenKind.CenterDot
            && _tokens[_index + 3].Kind == LeanTokenKind.RightParen
            && TryGetInfix(_tokens[_index + 1].Kind, out SyntaxOperator relation, out int level, out _, out _) && level == 50
            && _tokens[_index + 1].Kind is not (LeanTokenKind.Congruent or LeanTokenKind.Subset or LeanTokenKind.SubsetEqual))
        {
            _index += 4;
            return new RelationSectionSyntax(open.Position, relation);
        }

        Syntax inner = ParseTerm(0);
        if (!AtEnd && Current.Kind == LeanTokenKind.Colon)
        {
            _index++;
            Syntax type = ParseTerm(0);
            Expect(LeanTokenKind.RightParen, "')'");
            return new AscriptionSyntax(open.Position, inner, type);
        }

        if (!AtEnd && Current.Kind == LeanTokenKind.Comma)
        {
            ImmutableArray<Syntax>.Builder items = ImmutableArray.CreateBuilder<Syntax>();
            items.Add(inner);
            while (!AtEnd && Current.Kind == LeanTokenKind.Comma)
            {
                _index++;
                items.Add(ParseTerm(0));
            }

            Expect(LeanTokenKind.RightParen, "')'");
            return new TupleSyntax(open.Position, items.ToImmutable());
        }

        Expect(LeanTokenKind.RightParen, "')'");
        return inner;
    }

    private NotationSyntax ParseEnclosed(FormalFunction function, LeanTokenKind close, string closeText)
    {
        LeanToken open = Current;
        _index++;
        Syntax inner = ParseTerm(0);
        Expect(close, closeText);
        return new NotationSyntax(open.Position, function, [inner]);
    }

    private QuantifierSyntax ParseQuantifier()
    {
        LeanToken token = Current;
        _index++;
        Quantifier quantifier = token.Kind switch
        {
            LeanTokenKind.ForAll => Quantifier.ForAll,
            LeanTokenKind.Exists => Quantifier.Exists,
            _ => Quantifier.ExistsUnique,
        };

        ImmutableArray<BinderSyntax>.Builder binders = ImmutableArray.CreateBuilder<BinderSyntax>();
        Syntax? predicate = null;
        if (!AtEnd && Current.Kind is LeanTokenKind.LeftParen or LeanTokenKind.LeftBrace)
        {
            while (!AtEnd && Current.Kind is LeanTokenKind.LeftParen or LeanTokenKind.LeftBrace)
            {
                LeanToken open = Current;
                LeanTokenKind close = open.Kind == LeanTokenKind.LeftParen ? LeanTokenKind.RightParen : LeanTokenKind.RightBrace;
                _index++;
                ImmutableArray<(string Name, SourcePosition Position)> names = ParseBinderNames();
                if (names.IsEmpty)
                {
                    throw Expected("a binder name");
                }

                Syntax? type = null;
                if (!AtEnd && Current.Kind == LeanTokenKind.Colon)
                {
                    _index++;
                    type = ParseTerm(0);
                }

                Expect(close, close == LeanTokenKind.RightParen ? "')'" : "'}'");
                binders.Add(new BinderSyntax(open.Position, names, type));
            }
        }
        else
        {
            SourcePosition groupPosition = AtEnd ? _end : Current.Position;
            ImmutableArray<(string Name, SourcePosition Position)> names = ParseBinderNames();
            if (names.IsEmpty)
            {
                throw Expected("a bound variable");
            }

            Syntax? type = null;
            if (!AtEnd && Current.Kind == LeanTokenKind.Colon)
            {
                _index++;
                type = ParseTerm(0);
            }
            else if (!AtEnd && BinderPredicate(Current.Kind) is SyntaxOperator op)
            {
                LeanToken opToken = Current;
                if (names.Length != 1)
                {
                    throw FormalParseException.Unsupported(opToken.Position, "binder predicate on several variables");
                }

                if (quantifier == Quantifier.ExistsUnique)
                {
                    throw FormalParseException.Unsupported(opToken.Position, "∃! with a binder predicate");
                }

                _index++;
                Syntax bound = ParseTerm(0);
                predicate = new BinarySyntax(names[0].Position, op, new NameSyntax(names[0].Position, names[0].Name), bound, opToken.Position);
            }

            binders.Add(new BinderSyntax(groupPosition, names, type));
        }

        Expect(LeanTokenKind.Comma, "',' after the bound variables");
        Syntax body = ParseTerm(0);
        if (predicate is not null)
        {
            SyntaxOperator connective = quantifier == Quantifier.ForAll ? SyntaxOperator.Arrow : SyntaxOperator.And;
            body = new BinarySyntax(predicate.Position, connective, predicate, body, predicate.Position);
        }

        return new QuantifierSyntax(token.Position, quantifier, binders.ToImmutable(), body);
    }

    private static SyntaxOperator? BinderPredicate(LeanTokenKind kind)
    {
        return kind switch
        {
            LeanTokenKind.Greater => SyntaxOperator.Greater,
            LeanTokenKind.GreaterEqual => SyntaxOperator.GreaterEqual,
            LeanTokenKind.Less => SyntaxOperator.Less,
            LeanTokenKind.LessEqual => SyntaxOperator.LessEqual,
            LeanTokenKind.NotEqual => SyntaxOperator.NotEqual,
            LeanTokenKind.Member => SyntaxOperator.Member,
            LeanTokenKind.NotMember => SyntaxOperator.NotMember,
            LeanTokenKind.Divides => SyntaxOperator.Divides,
            _ => null,
        };
    }

    private BigOperatorSyntax ParseBigOperator()
    {
        LeanToken token = Current;
        _index++;
        BigOperator op = token.Kind == LeanTokenKind.BigSum ? BigOperator.Sum : BigOperator.Product;
        bool parenthesized = !AtEnd && Current.Kind == LeanTokenKind.LeftParen;
        if (parenthesized)
        {
            _index++;
        }

        if (AtEnd || Current.Kind is not (LeanTokenKind.Identifier or LeanTokenKind.Hole))
        {
            throw Expected("the index variable");
        }

        LeanToken index = Current;
        _index++;
        Syntax? indexType = null;
        if (!AtEnd && Current.Kind == LeanTokenKind.Colon)
        {
            _index++;
            indexType = ParseTerm(51);
        }

        if (parenthesized)
        {
            Expect(LeanTokenKind.RightParen, "')'");
        }

        if (AtEnd || Current.Kind is not (LeanTokenKind.In or LeanTokenKind.Member))
        {
            if (!AtEnd && Current.Kind == LeanTokenKind.Comma)
            {
                throw FormalParseException.Unsupported(token.Position, (op == BigOperator.Sum ? "∑" : "∏") + " over a whole type");
            }

            if (!AtEnd && BinderPredicate(Current.Kind) is not null)
            {
                throw FormalParseException.Unsupported(Current.Position, (op == BigOperator.Sum ? "∑" : "∏") + " with a binder predicate");
            }

            throw Expected("'in' or '∈'");
        }

        _index++;
        Syntax domain = ParseTerm(0);
        Expect(LeanTokenKind.Comma, "',' before the summand");
        Syntax body = ParseTerm(67);
        return new BigOperatorSyntax(token.Position, op, index.Text, index.Position, indexType, domain, body);
    }

    private SetBuilderSyntax ParseSetBuilder()
    {
        LeanToken open = Current;
        _index++;
        bool builder = _index + 1 < _tokens.Length && Current.Kind is LeanTokenKind.Identifier or LeanTokenKind.Hole
            && _tokens[_index + 1].Kind is LeanTokenKind.Colon or LeanTokenKind.Bar or LeanTokenKind.Member;
        if (!builder)
        {
            return SetLiteral(open);
        }

        LeanToken variable = Current;
        _index++;
        if (Current.Kind == LeanTokenKind.Member)
        {
            throw FormalParseException.Unsupported(open.Position, "set-builder over a set { x ∈ s | p }");
        }

        Syntax? type = null;
        if (Current.Kind == LeanTokenKind.Colon)
        {
            _index++;
            type = ParseTerm(0);
        }

        Expect(LeanTokenKind.Bar, "'|'");
        Syntax body = ParseTerm(0);
        Expect(LeanTokenKind.RightBrace, "'}'");
        return new SetBuilderSyntax(open.Position, variable.Text, variable.Position, type, body);
    }

    /// <summary>
    /// A set literal <c>{a, b, c}</c> (Set.insert's notation) as the set it denotes, <c>{x | x = a ∨ x = b ∨ x = c}</c>,
    /// marked as a literal: as a Finset (whose <c>insert</c> needs decidable equality and counts duplicates once) it is
    /// not supported.
    /// </summary>
    private SetBuilderSyntax SetLiteral(LeanToken open)
    {
        if (AtEnd || Current.Kind == LeanTokenKind.RightBrace)
        {
            throw FormalParseException.Unsupported(open.Position, "set literal { … }");
        }

        string name = FreshBinder();
        NameSyntax element = new(open.Position, name);
        Syntax? body = null;
        ImmutableArray<Syntax>.Builder items = ImmutableArray.CreateBuilder<Syntax>();
        while (true)
        {
            Syntax item = ParseTerm(0);
            items.Add(item);
            Syntax equal = new BinarySyntax(item.Position, SyntaxOperator.Equal, element, item, item.Position);
            body = body is null ? equal : new BinarySyntax(body.Position, SyntaxOperator.Or, body, equal, item.Position);
            if (AtEnd || Current.Kind != LeanTokenKind.Comma)
            {
                break;
            }

            _index++;
        }

        Expect(LeanTokenKind.RightBrace, "'}'");
        return new SetBuilderSyntax(open.Position, name, open.Position, null, body) { Literal = true, Items = items.ToImmutable() };
    }

    /// <summary>
    /// <c>s ⊆ t</c> by its definition, <c>∀ x, x ∈ s → x ∈ t</c> (for a literal <c>s</c>, each member in <c>t</c>), and
    /// <c>s ⊂ t</c> as <c>s ⊆ t ∧ ¬t ⊆ s</c>: for sets and finsets alike, membership is all either depends on. Binder
    /// names no identifier uses; the elaborator infers their type from the memberships.
    /// </summary>
    private Syntax Subset(Syntax left, Syntax right, bool strict, LeanToken token)
    {
        Syntax inclusion = Included(left, right);
        return strict
            ? new BinarySyntax(left.Position, SyntaxOperator.And, inclusion, new NotSyntax(token.Position, Included(right, left)), token.Position)
            : inclusion;

        Syntax Included(Syntax small, Syntax large)
        {
            if (small is SetBuilderSyntax { Literal: true } literal)
            {
                return literal.Items.Select(item => (Syntax)new BinarySyntax(item.Position, SyntaxOperator.Member, item, large, token.Position))
                    .Aggregate((a, b) => new BinarySyntax(a.Position, SyntaxOperator.And, a, b, token.Position));
            }

            string name = FreshBinder();
            NameSyntax member = new(token.Position, name);
            Syntax body = new BinarySyntax(
                token.Position, SyntaxOperator.Arrow, new BinarySyntax(token.Position, SyntaxOperator.Member, member, small, token.Position),
                new BinarySyntax(token.Position, SyntaxOperator.Member, member, large, token.Position), token.Position);
            return new QuantifierSyntax(token.Position, Quantifier.ForAll, [new BinderSyntax(token.Position, [(name, token.Position)], null)], body);
        }
    }

    /// <summary>
    /// <c>Nat.digits b n = [d₀, …, dₖ]</c> (b a numeral, at least 2) by what makes a list the digits of a number:
    /// <c>n = Nat.ofDigits b [d₀, …, dₖ] ∧ d₀ &lt; b ∧ … ∧ dₖ &lt; b ∧ dₖ ≠ 0</c> (<c>n = 0</c> for the empty list); the
    /// representation without a leading zero is unique, so the two say the same. Null for any other equation.
    /// </summary>
    private static Syntax? Digits(Syntax digits, Syntax list, LeanToken token)
    {
        if (digits is not ApplicationSyntax { Head: NameSyntax { Name: "Nat.digits" }, Arguments: [NumberSyntax radix, Syntax number] }
            || radix.Value < 2 || list is not ListSyntax literal)
        {
            return null;
        }

        static Syntax Natural(Syntax term) => new AscriptionSyntax(term.Position, term, new TypeAtomSyntax(term.Position, FormalType.Nat));
        Syntax value = new BinarySyntax(number.Position, SyntaxOperator.Equal, Natural(number), Natural(OfDigits(radix, literal)), token.Position);
        if (literal.Items.IsEmpty)
        {
            return value;
        }

        foreach (Syntax digit in literal.Items)
        {
            value = new BinarySyntax(digit.Position, SyntaxOperator.And, value, new BinarySyntax(digit.Position, SyntaxOperator.Less, Natural(digit), radix, token.Position), token.Position);
        }

        Syntax leading = literal.Items[^1];
        return new BinarySyntax(leading.Position, SyntaxOperator.And, value,
            new BinarySyntax(leading.Position, SyntaxOperator.NotEqual, Natural(leading), new NumberSyntax(leading.Position, BigInteger.Zero), token.Position), token.Position);
    }

    /// <summary>
    /// <c>d ∈ Nat.digits b n</c> (b a numeral, at least 2) by where digits sit: <c>∃ i : ℕ, b ^ i ≤ n ∧ d = n / b ^ i % b</c>
    /// (the digits of n > 0 are its digits at the positions i with bⁱ ≤ n; 0 has none). Null for any other membership.
    /// </summary>
    private QuantifierSyntax? DigitMember(Syntax digit, Syntax digits, LeanToken token)
    {
        if (digits is not ApplicationSyntax { Head: NameSyntax { Name: "Nat.digits" }, Arguments: [NumberSyntax radix, Syntax number] } || radix.Value < 2)
        {
            return null;
        }

        SourcePosition at = token.Position;
        string name = FreshBinder();
        TypeAtomSyntax natural = new(at, FormalType.Nat);
        Syntax place = new BinarySyntax(at, SyntaxOperator.Power, radix, new NameSyntax(at, name), at);
        Syntax value = new AscriptionSyntax(at, number, natural);
        Syntax body = new BinarySyntax(
            at,
            SyntaxOperator.And,
            new BinarySyntax(at, SyntaxOperator.LessEqual, place, value, at),
            new BinarySyntax(at, SyntaxOperator.Equal, new AscriptionSyntax(at, digit, natural), new BinarySyntax(at, SyntaxOperator.Modulo, new BinarySyntax(at, SyntaxOperator.Divide, value, place, at), radix, at), at),
            at);
        return new QuantifierSyntax(at, Quantifier.Exists, [new BinderSyntax(at, [(name, at)], natural)], body);
    }

    /// <summary>
    /// <c>[a₀, …, aₖ].Pairwise (· R ·)</c> by its definition on a literal: <c>aᵢ R aⱼ</c> for every <c>i &lt; j</c>, conjoined
    /// (<c>True</c> for fewer than two members).
    /// </summary>
    private static Syntax Pairwise(ListSyntax list, RelationSectionSyntax relation)
    {
        Syntax? all = null;
        for (int i = 0; i < list.Items.Length; i++)
        {
            for (int j = i + 1; j < list.Items.Length; j++)
            {
                Syntax pair = new BinarySyntax(list.Items[i].Position, relation.Operator, list.Items[i], list.Items[j], relation.Position);
                all = all is null ? pair : new BinarySyntax(all.Position, SyntaxOperator.And, all, pair, relation.Position);
            }
        }

        return all ?? new NameSyntax(list.Position, "True");
    }

    /// <summary>
    /// <c>Function.Injective f</c> by its definition, <c>∀ a b, f a = f b → a = b</c> (binder names no identifier uses;
    /// the elaborator types them from <c>f</c>).
    /// </summary>
    private QuantifierSyntax Injective(NameSyntax function)
    {
        string first = FreshBinder();
        string second = first + "'";
        NameSyntax a = new(function.Position, first);
        NameSyntax b = new(function.Position, second);
        Syntax images = new BinarySyntax(
            function.Position, SyntaxOperator.Equal, new ApplicationSyntax(function.Position, function, [a]), new ApplicationSyntax(function.Position, function, [b]), function.Position);
        Syntax body = new BinarySyntax(function.Position, SyntaxOperator.Arrow, images, new BinarySyntax(function.Position, SyntaxOperator.Equal, a, b, function.Position), function.Position);
        return new QuantifierSyntax(function.Position, Quantifier.ForAll, [new BinderSyntax(function.Position, [(first, function.Position), (second, function.Position)], null)], body);
    }

    /// <summary>A binder name (<c>x'</c>, <c>x''</c>, ...) that no identifier of the statement uses.</summary>
    private string FreshBinder()
    {
        HashSet<string> used = [.. _tokens.Where(static t => t.Kind == LeanTokenKind.Identifier).Select(static t => t.Text)];
        string name = "x";
        do
        {
            name += "'";
        }
        while (used.Contains(name));

        return name;
    }

    /// <summary>
    /// <c>Nat.ofDigits b [d₀, d₁, …, dₖ]</c> unfolded by its equations (<c>ofDigits b [] = 0</c>, <c>ofDigits b (d :: L) =
    /// d + b * ofDigits b L</c>): <c>d₀ + b * (d₁ + … + b * dₖ)</c> (<c>dₖ + b * 0 = dₖ</c>), 0 for the empty list.
    /// </summary>
    private static Syntax OfDigits(Syntax radix, ListSyntax digits)
    {
        if (digits.Items.IsEmpty)
        {
            return new NumberSyntax(digits.Position, BigInteger.Zero);
        }

        Syntax value = digits.Items[^1];
        for (int i = digits.Items.Length - 2; i >= 0; i--)
        {
            Syntax digit = digits.Items[i];
            Syntax shifted = new BinarySyntax(digit.Position, SyntaxOperator.Multiply, radix, value, digit.Position);
            value = new BinarySyntax(digit.Position, SyntaxOperator.Add, digit, shifted, digit.Position);
        }

        return value;
    }

    /// <summary>A list literal <c>[a, b, c]</c>; read only as the digits of <c>Nat.ofDigits</c> (see <see cref="OfDigits"/>).</summary>
    private ListSyntax ParseList()
    {
        LeanToken open = Current;
        _index++;
        ImmutableArray<Syntax>.Builder items = ImmutableArray.CreateBuilder<Syntax>();
        if (!AtEnd && Current.Kind != LeanTokenKind.RightBracket)
        {
            items.Add(ParseTerm(0));
            while (!AtEnd && Current.Kind == LeanTokenKind.Comma)
            {
                _index++;
                items.Add(ParseTerm(0));
            }
        }

        Expect(LeanTokenKind.RightBracket, "']'");
        return new ListSyntax(open.Position, items.ToImmutable());
    }

    private LambdaSyntax ParseLambda()
    {
        LeanToken token = Current;
        _index++;
        bool parenthesized = !AtEnd && Current.Kind == LeanTokenKind.LeftParen;
        if (parenthesized)
        {
            _index++;
        }

        ImmutableArray<(string Name, SourcePosition Position)> names = ParseBinderNames();
        if (names.IsEmpty)
        {
            throw Expected("a bound variable");
        }

        if (names.Length > 1)
        {
            throw FormalParseException.Unsupported(token.Position, "fun with several variables");
        }

        Syntax? type = null;
        if (!AtEnd && Current.Kind == LeanTokenKind.Colon)
        {
            _index++;
            type = ParseTerm(0);
        }

        if (parenthesized)
        {
            Expect(LeanTokenKind.RightParen, "')'");
        }

        Expect(LeanTokenKind.MapsTo, "'=>'");
        Syntax body = ParseTerm(0);
        return new LambdaSyntax(token.Position, names[0].Name, names[0].Position, type, body);
    }

    private void Expect(LeanTokenKind kind, string what)
    {
        if (AtEnd || Current.Kind != kind)
        {
            throw Expected(what);
        }

        _index++;
    }

    private FormalParseException Expected(string what)
    {
        if (AtEnd)
        {
            return _lexError is not null
                ? LexFailure(_lexError)
                : FormalParseException.Syntax(_end, $"expected {what} but found the end of the statement");
        }

        return FormalParseException.Syntax(Current.Position, $"expected {what} but found '{Current.Text}'");
    }
}
