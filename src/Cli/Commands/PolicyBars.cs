using ScottPlot;

namespace Planning.Cli.Commands;

/// <summary>
/// The bar chart the simulate commands share: one bar a policy, its step time in milliseconds, labelled, coloured by the
/// policy's role (the one measured, the references, the rest).
/// </summary>
internal static class PolicyBars
{
    /// <summary>Gray: the unbalanced reference (<c>none</c>, <c>megatron</c>).</summary>
    public static Color Unbalanced { get; } = new(160, 160, 160);

    /// <summary>Blue: the policy the chart is about.</summary>
    public static Color Featured { get; } = new(31, 119, 180);

    /// <summary>Green: the force-balanced ideal.</summary>
    public static Color Ideal { get; } = new(44, 160, 44);

    /// <summary>Orange: every other policy.</summary>
    public static Color Other { get; } = new(255, 127, 14);

    /// <summary>Draws the bars, the policies as ticks, the title and the axis.</summary>
    /// <param name="plot">The plot to draw on.</param>
    /// <param name="bars">Per policy, in order: its name, step time in milliseconds, the bar's label and colour.</param>
    /// <param name="title">The plot's title.</param>
    public static void Draw(Plot plot, IReadOnlyList<(string Policy, double Milliseconds, string Label, Color Color)> bars, string title)
    {
        var positions = new double[bars.Count];
        var labels = new string[bars.Count];
        var drawn = new List<Bar>(bars.Count);
        for (var i = 0; i < bars.Count; i++)
        {
            positions[i] = i;
            labels[i] = bars[i].Policy;
            drawn.Add(new Bar { Position = i, Value = bars[i].Milliseconds, FillColor = bars[i].Color, Label = bars[i].Label, LineWidth = 0 });
        }

        plot.Add.Bars(drawn);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Title(title);
        plot.YLabel("step time (ms)");
        plot.Axes.Margins(bottom: 0, top: 0.15);
    }
}
