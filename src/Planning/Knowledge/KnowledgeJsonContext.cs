using System.Text.Json.Serialization;

namespace Planning.Knowledge;

/// <summary>Source-generated JSON for the store's JSON columns and parameters.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyCollection<long>))]
internal sealed partial class KnowledgeJsonContext : JsonSerializerContext;
