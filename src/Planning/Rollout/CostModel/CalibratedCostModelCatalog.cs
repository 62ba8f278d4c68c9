using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Planning.Graph;

namespace Planning.Rollout;

/// <summary>Loads the embedded defaults of <see cref="CalibratedCostModel"/>: the engine's policy, named models and the calibration (its model, hardware and rows).</summary>
internal static class CalibratedCostModelCatalog
{
    private const string ResourcePrefix = "Planning.Rollout.Data.";

    private static readonly Lazy<(ServingEngineSettings Engine, ImmutableArray<InferenceModelSpec> Models, string CalibrationModel, string CalibrationHardware, CalibrationRows CalibrationData)> Defaults =
        new(LoadDefaults);

    /// <summary>The GPU the calibration rows were measured on, with the engine's policy: the embedded hardware of that name.</summary>
    private static readonly Lazy<InferenceHardware> CalibrationGpu = new(() => InferenceHardware.From(HardwareSpec.Load(Defaults.Value.CalibrationHardware), Engine));

    private static readonly Lazy<CostModelCalibration> Fitted = new(() =>
    {
        var model = Model(CalibrationModelName) ?? throw new InvalidOperationException($"the calibration model {CalibrationModelName} is not in inference-models.json");
        var data = Defaults.Value.CalibrationData;
        return CalibratedCostModelFit.Fit(model, Hardware, ReadMeasurements(data), $"splitwise-sim perf_model.csv ({data.Model}, {data.Hardware}), embedded as {data.File}");
    });

    public static ServingEngineSettings Engine => Defaults.Value.Engine;

    /// <summary>
    /// The default hardware: the one the calibration rows were measured on (the embedded <c>h100</c>), so that the fit
    /// and the default cost models read the same figures.
    /// </summary>
    public static InferenceHardware Hardware => CalibrationGpu.Value;

    public static ImmutableArray<InferenceModelSpec> Models => Defaults.Value.Models;

    public static string CalibrationModelName => Defaults.Value.CalibrationModel;

    /// <summary>The fit, made once at first use (thread-safe) and cached.</summary>
    public static CostModelCalibration Calibration => Fitted.Value;

    public static InferenceModelSpec? Model(string name) => Models.FirstOrDefault(m => m.Name == name);

    private static Stream Open(string name) =>
        typeof(CalibratedCostModelCatalog).Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"embedded resource {ResourcePrefix}{name} is missing");

    private static (ServingEngineSettings, ImmutableArray<InferenceModelSpec>, string, string, CalibrationRows) LoadDefaults()
    {
        using var stream = Open("inference-models.json");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var e = root.GetProperty("engine");
        var engine = new ServingEngineSettings
        {
            UsableMemoryFraction = e.GetProperty("usableMemoryFraction").GetDouble(),
            ActivationReserveBytesPerGpu = e.GetProperty("activationReserveBytesPerGpu").GetDouble(),
            MinKvTokens = e.GetProperty("minKvTokens").GetInt64(),
            BytesPerParameter = e.GetProperty("bytesPerParameter").GetInt32(),
            KvBytesPerElement = e.GetProperty("kvBytesPerElement").GetInt32(),
        }.Validate();
        var models = root.GetProperty("models").EnumerateArray().Select(m => new InferenceModelSpec(
            m.GetProperty("name").GetString()!,
            m.GetProperty("description").GetString()!,
            m.GetProperty("layers").GetInt32(),
            m.GetProperty("hiddenSize").GetInt32(),
            m.GetProperty("kvHeads").GetInt32(),
            m.GetProperty("headDim").GetInt32(),
            m.GetProperty("parameters").GetDouble())).ToImmutableArray();
        var calibration = root.GetProperty("calibration");
        var rows = new CalibrationRows(
            calibration.GetProperty("data").GetString()!,
            calibration.GetProperty("dataModel").GetString()!,
            calibration.GetProperty("dataHardware").GetString()!);
        return (engine, models, calibration.GetProperty("model").GetString()!, calibration.GetProperty("hardware").GetString()!, rows);
    }

    /// <summary>
    /// Reads the measured rows of one model on one hardware from the embedded CSV (splitwise-sim's whole
    /// perf_model.csv, which also holds other models and GPUs), in file order.
    /// </summary>
    private static List<CalibratedCostModelMeasurement> ReadMeasurements(CalibrationRows data)
    {
        using var reader = new StreamReader(Open(data.File));
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
            if (Field("model") != data.Model || Field("hardware") != data.Hardware)
            {
                continue;
            }

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

/// <summary>Which embedded CSV the calibration reads, and which of its rows: those of one model on one hardware.</summary>
/// <param name="File">The embedded file's name under <c>Planning.Rollout.Data.</c>.</param>
/// <param name="Model">The CSV's <c>model</c> column value to keep.</param>
/// <param name="Hardware">The CSV's <c>hardware</c> column value to keep.</param>
internal sealed record CalibrationRows(string File, string Model, string Hardware);
