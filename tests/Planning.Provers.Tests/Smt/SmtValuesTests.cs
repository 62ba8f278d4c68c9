using Planning.Provers.Smt;

namespace Planning.Provers.Tests.Smt;

public sealed class SmtValuesTests
{
    [Theory]
    [InlineData("5", "5")]
    [InlineData("(- 3)", "-3")]
    [InlineData("3.0", "3")]
    [InlineData("2.5", "5/2")]
    [InlineData("(/ 1.0 3.0)", "1/3")]
    [InlineData("(- (/ 1.0 3.0))", "-1/3")]
    [InlineData("(/ (- 4.0) 6.0)", "-2/3")]
    [InlineData("true", "true")]
    [InlineData("(root-obj (+ (^ x 2)\n   (- 2)) 2)", "(root-obj (+ (^ x 2) (- 2)) 2)")]
    public void Normalize_Z3Values_GivesCommonForm(string printed, string expected)
    {
        Assert.Equal(expected, SmtValues.Normalize(printed));
    }

    [Fact]
    public void Parse_StringsAndQuotedSymbols_KeepTheirText()
    {
        var parsed = SExpression.Parse("(:reason-unknown \"(incomplete \"\"x\"\")\" |a b|)");
        Assert.Equal("(incomplete \"x\")", parsed.Items![1].StringValue());
        Assert.Equal("|a b|", parsed.Items[2].Atom);
        Assert.Equal(0, SExpression.Balance("((v0 |)(|))"));
        Assert.Equal(1, SExpression.Balance("((v0 \")\")"));
    }

    [Fact]
    public void Parse_Malformed_Throws()
    {
        Assert.Throws<FormatException>(() => SExpression.Parse("(a b"));
        Assert.Throws<FormatException>(() => SExpression.Parse("a) b"));
    }
}
