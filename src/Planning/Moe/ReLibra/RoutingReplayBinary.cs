using System.Globalization;
using System.Text;

namespace Planning.Moe.ReLibra;

/// <summary>
/// The compact binary form of a routing replay, for replays too large for JSON Lines (a 256-expert, 128-rank,
/// 60-layer batch is about 2 M counts per microbatch). Every integer after the magic is an unsigned LEB128 varint
/// (7 bits a byte, low bits first, the high bit set on every byte but the last: <see cref="BinaryWriter.Write7BitEncodedInt"/>),
/// so a count below 128 takes one byte and one below 16384 two.
/// </summary>
/// <remarks>
/// <para>Layout: the 4 ASCII bytes <c>RLRP</c>; a version byte (1); the header varints <c>ranks</c>,
/// <c>ranksPerDomain</c>, <c>ranksPerNode</c>, <c>expertsPerRank</c>, <c>redundantSlotsPerRank</c>,
/// <c>expertGroups + 1</c> (0 when absent), <c>layers</c>, <c>microbatches</c>; then per microbatch the varints
/// <c>batch</c>, <c>microbatch</c> and its <c>layers x ranks x (ranks x expertsPerRank)</c> token counts, layer by
/// layer, source rank by source rank, expert by expert (the JSON form's <c>tokensPerRankLayer</c> flattened). Nothing
/// follows the last microbatch. Reading checks everything the JSON reader checks and names the field, as in
/// <c>replay.microbatches[2].batch</c>.</para>
/// </remarks>
public static class RoutingReplayBinary
{
    /// <summary>The format's version byte.</summary>
    public const byte Version = 1;

    private static readonly byte[] Magic = "RLRP"u8.ToArray();

    /// <summary>Writes the replay.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="replay">The replay.</param>
    public static void Write(Stream stream, RoutingReplay replay)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(replay);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        var shape = replay.Shape;
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write7BitEncodedInt(shape.Ranks);
        writer.Write7BitEncodedInt(shape.RanksPerDomain);
        writer.Write7BitEncodedInt(shape.RanksPerNode);
        writer.Write7BitEncodedInt(shape.ExpertsPerRank);
        writer.Write7BitEncodedInt(shape.RedundantSlotsPerRank);
        writer.Write7BitEncodedInt(shape.ExpertGroups is { } groups ? groups + 1 : 0);
        writer.Write7BitEncodedInt(replay.Layers);
        writer.Write7BitEncodedInt(replay.Microbatches.Length);
        foreach (var microbatch in replay.Microbatches)
        {
            writer.Write7BitEncodedInt(microbatch.Batch);
            writer.Write7BitEncodedInt(microbatch.Microbatch);
            foreach (var layer in microbatch.Case.Layers)
            {
                for (var s = 0; s < layer.SourceRanks; s++)
                {
                    foreach (var count in layer.Row(s))
                    {
                        writer.Write7BitEncodedInt(count);
                    }
                }
            }
        }
    }

    /// <summary>Serialises the replay to bytes.</summary>
    /// <param name="replay">The replay.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Serialize(RoutingReplay replay)
    {
        using var stream = new MemoryStream();
        Write(stream, replay);
        return stream.ToArray();
    }

    /// <summary>Whether <paramref name="prefix"/> starts with this format's magic (to tell it from JSON Lines).</summary>
    /// <param name="prefix">The first bytes of a file.</param>
    /// <returns><see langword="true"/> for the binary form.</returns>
    public static bool IsBinary(ReadOnlySpan<byte> prefix) => prefix.StartsWith(Magic);

    /// <summary>Reads a replay.</summary>
    /// <param name="stream">The bytes.</param>
    /// <returns>The replay.</returns>
    /// <exception cref="PlanningInputException">The bytes are not this format, are cut short, or a field is out of range; the field is named.</exception>
    public static RoutingReplay Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var field = "replay.magic";
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new PlanningInputException(field, "must be the bytes \"RLRP\" (the binary routing replay), got something else");
            }

            field = "replay.version";
            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new PlanningInputException(field, string.Create(CultureInfo.InvariantCulture, $"must be {Version}, got {version}"));
            }

            int Next(string name)
            {
                field = name;
                var value = reader.Read7BitEncodedInt();
                return value >= 0 ? value : throw new PlanningInputException(name, string.Create(CultureInfo.InvariantCulture, $"must be a non-negative integer, got {value}"));
            }

            var ranks = Next("replay.ranks");
            var ranksPerDomain = Next("replay.ranksPerDomain");
            var ranksPerNode = Next("replay.ranksPerNode");
            var expertsPerRank = Next("replay.expertsPerRank");
            var redundant = Next("replay.redundantSlotsPerRank");
            var groupsPlusOne = Next("replay.expertGroups");
            var layers = Next("replay.layers");
            var count = Next("replay.microbatches");
            var experts = (long)ranks * expertsPerRank;
            var perMicrobatch = (long)layers * ranks * experts;
            if (ranks == 0 || expertsPerRank == 0 || layers == 0 || perMicrobatch > int.MaxValue)
            {
                throw new PlanningInputException(
                    ranks == 0 ? "replay.ranks" : expertsPerRank == 0 ? "replay.expertsPerRank" : "replay.layers",
                    string.Create(CultureInfo.InvariantCulture, $"must be positive with at most 2^31 counts per microbatch, got {layers} layer(s) x {ranks} rank(s) x {experts} expert(s)"));
            }

            if (count == 0)
            {
                throw new PlanningInputException("replay.microbatches", "must hold at least one microbatch, got none");
            }

            var microbatches = new List<ReplayMicrobatch>(Math.Min(count, 4096));
            for (var i = 0; i < count; i++)
            {
                var prefix = string.Create(CultureInfo.InvariantCulture, $"replay.microbatches[{i}]");
                var batch = Next(prefix + ".batch");
                var index = Next(prefix + ".microbatch");
                var layerTokens = new LayerTokens[layers];
                for (var l = 0; l < layers; l++)
                {
                    var rows = new int[ranks][];
                    for (var s = 0; s < ranks; s++)
                    {
                        rows[s] = new int[(int)experts];
                        for (var e = 0; e < experts; e++)
                        {
                            rows[s][e] = Next(string.Create(CultureInfo.InvariantCulture, $"{prefix}.tokensPerRankLayer[{l}][{s}][{e}]"));
                        }
                    }

                    layerTokens[l] = new LayerTokens(rows);
                }

                field = prefix;
                MoeCase moeCase;
                try
                {
                    moeCase = MoeCase.Create(ranks, ranksPerDomain, ranksPerNode, expertsPerRank, redundant, groupsPlusOne == 0 ? null : groupsPlusOne - 1, layerTokens);
                }
                catch (PlanningInputException ex)
                {
                    throw new PlanningInputException($"replay.{ex.Field}", ex.Problem);
                }

                microbatches.Add(new ReplayMicrobatch(batch, index, moeCase));
            }

            field = "replay.end";
            if (stream.CanSeek ? stream.Position != stream.Length : stream.ReadByte() >= 0)
            {
                throw new PlanningInputException(field, "must follow the last microbatch, but more bytes follow");
            }

            try
            {
                return RoutingReplay.Create(microbatches);
            }
            catch (PlanningInputException ex)
            {
                throw new PlanningInputException($"replay.{ex.Field}", ex.Problem);
            }
        }
        catch (EndOfStreamException)
        {
            throw new PlanningInputException(field, "is cut short: the bytes end before it");
        }
        catch (FormatException)
        {
            throw new PlanningInputException(field, "must be a varint of at most 5 bytes fitting a 32-bit integer");
        }
    }
}
