using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.ML.OnnxRuntime;
using Planning.Execution.Soc.Runtime;

namespace Planning.Execution.Tests.Soc.Runtime;

public sealed class OnnxChunkModelTests
{
    [Property(MaxTest = 40)]
    public Property Build_RunByOnnxRuntime_EqualsTheForwardPassInDoubles()
    {
        var cases =
            from width in Gen.Choose(1, 12)
            from depth in Gen.Choose(1, 4)
            from rows in Gen.Choose(1, 5)
            from values in Gen.ArrayOf(Gen.Choose(-1000, 1000), rows * width)
            select (width, depth, rows, values);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var shape = new SocChunkShape("test", c.width, c.depth);
            var input = c.values.Select(v => v / 500f).ToArray();
            var actual = RunOnce(shape, input, c.rows);
            var expected = ForwardPass(shape, input, c.rows);
            return expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * Math.Max(1, Math.Abs(p.First)));
        });
    }

    [Fact]
    public void Weight_AnyRow_SumsToAboutOneAndStaysPositive()
    {
        // Why all-ones inputs stay near 1 through every layer (no overflow, no denormals): each column's weights are
        // positive and sum to 1 within the +-20 % spread.
        foreach (var width in new[] { 1, 5, 256, 1024 })
        {
            for (var layer = 0; layer < 3; layer++)
            {
                for (var column = 0; column < Math.Min(width, 7); column++)
                {
                    var sum = 0.0;
                    for (var row = 0; row < width; row++)
                    {
                        var w = OnnxChunkModel.Weight(layer, row, column, width);
                        Assert.InRange(w, (0.8 / width) - 1e-7, (1.2 / width) + 1e-7); // float rounding of 0.8 / width
                        sum += w;
                    }

                    Assert.InRange(sum, 0.8, 1.2);
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(4, 0)]
    public void Build_EmptyShape_ThrowsNamingShape(int width, int depth)
    {
        var error = Assert.Throws<PlanningInputException>(() => OnnxChunkModel.Build(new SocChunkShape("bad", width, depth)));
        Assert.Equal("shape", error.Field);
    }

    /// <summary>The oracle: x W_0, Relu, x W_1, Relu, ... in doubles, from the weight formula.</summary>
    internal static double[] ForwardPass(SocChunkShape shape, float[] input, int rows)
    {
        var w = shape.Width;
        var x = input.Select(v => (double)v).ToArray();
        for (var layer = 0; layer < shape.Depth; layer++)
        {
            var y = new double[rows * w];
            for (var r = 0; r < rows; r++)
            {
                for (var j = 0; j < w; j++)
                {
                    var sum = 0.0;
                    for (var k = 0; k < w; k++)
                    {
                        sum += x[(r * w) + k] * OnnxChunkModel.Weight(layer, k, j, w);
                    }

                    y[(r * w) + j] = Math.Max(0, sum);
                }
            }

            x = y;
        }

        return x;
    }

    private static float[] RunOnce(SocChunkShape shape, float[] input, int rows)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxChunkModel.Build(shape), options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [rows, shape.Width]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [OnnxChunkModel.InputName], [value], [OnnxChunkModel.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
