using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Planning.Rollout;

/// <summary>Loads the embedded defaults of <see cref="CalibratedCostModel"/>: hardware, named models and the calibration rows.</summary>
internal static class CalibratedCostModelCatalog
{
    private const string ResourcePrefix = "Planning.Rollout.Data.";

    private static readonly Lazy<(InferenceHardware Hardware, ImmutableArray<InferenceModelSpec> Models, string CalibrationModel, string CalibrationData)> Defaults =
        new(LoadDefaults);

    private static readonly Lazy<CostModelCalibration> Fitted = new(() =>
    {
        var model = Model(CalibrationModelName) ?? throw new InvalidOperationException($"the calibration model {CalibrationModelName} is not in inference-models.json");
        return CalibratedCostModelFit.Fit(model, Hardware, ReadMeasurements(Defaults.Value.CalibrationData), $"splitwise-sim perf_model.csv (llama2-70b, h100-80gb), embedded as {Defaults.Value.CalibrationData}");
    });

    public static InferenceHardware Hardware => Defaults.Value.Hardware;

    public static ImmutableArray<InferenceModelSpec> Models => Defaults.Value.Models;

    public static string CalibrationModelName => Defaults.Value.CalibrationModel;

    /// <summary>The fit, made once at first use (thread-safe) and cached.</summary>
    public static CostModelCalibration Calibration => Fitted.Value;

    public static InferenceModelSpec? Model(string name) => Models.FirstOrDefault(m => m.Name == name);

    private static Stream Open(string name) =>
        typeof(CalibratedCostModelCatalog).Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"embedded resource {ResourcePrefix}{name} is missing");

    private static (InferenceHardware, ImmutableArray<InferenceModelSpec>, string, string) LoadDefaults()
    {
        using var stream = Open("inference-models.json");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var h = root.GetProperty("hardware");
        var hardware = new InferenceHardware(
            h.GetProperty("name").GetString()!,
            h.GetProperty("peakFlopsPerSecond").GetDouble(),
            h.GetProperty("memoryBytesPerSecond").GetDouble(),
            h.GetProperty("memoryBytes").GetDouble(),
            h.GetProperty("interconnectBytesPerSecond").GetDouble(),
            h.GetProperty("usableMemoryFraction").GetDouble(),
            h.GetProperty("activationReserveBytesPerGpu").GetDouble(),
            h.GetProperty("minKvTokens").GetInt64(),
            h.GetProperty("bytesPerParameter").GetInt32(),
            h.GetProperty("kvBytesPerElement").GetInt32(),
            [.. h.GetProperty("tensorParallelDegrees").EnumerateArray().Select(d => d.GetInt32())]);
        var models = root.GetProperty("models").EnumerateArray().Select(m => new InferenceModelSpec(
            m.GetProperty("name").GetString()!,
            m.GetProperty("description").GetString()!,
            m.GetProperty("layers").GetInt32(),
            m.GetProperty("hiddenSize").GetInt32(),
            m.GetProperty("kvHeads").GetInt32(),
            m.GetProperty("headDim").GetInt32(),
            m.GetProperty("parameters").GetDouble())).ToImmutableArray();
        var calibration = root.GetProperty("calibration");
        return (hardware, models, calibration.GetProperty("model").GetString()!, calibration.GetProperty("data").GetString()!);
    }

    private static List<CalibratedCostModelMeasurement> ReadMeasurements(string name)
    {
        using var reader = new StreamReader(Open(name));
        var rows = new List<CalibratedCostModelMeasurement>();
        string[]? header = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(',');
            if (header is null)
            {
                header = fields;
                continue;
            }

            string Field(string column) => fields[Array.IndexOf(header, column)];
            rows.Add(new CalibratedCostModelMeasurement(
                int.Parse(Field("tensor_parallel"), CultureInfo.InvariantCulture),
                int.Parse(Field("prompt_size"), CultureInfo.InvariantCulture),
                int.Parse(Field("batch_size"), CultureInfo.InvariantCulture),
                int.Parse(Field("token_size"), CultureInfo.InvariantCulture),
                double.Parse(Field("prompt_time"), CultureInfo.InvariantCulture) / 1000,
                double.Parse(Field("token_time"), CultureInfo.InvariantCulture) / 1000));
        }

        return rows;
    }
}
