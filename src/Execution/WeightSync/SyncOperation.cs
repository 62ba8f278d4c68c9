namespace Planning.Execution.WeightSync;

/// <summary>Which side of a point-to-point chunk transfer a <see cref="SyncOperation"/> is.</summary>
public enum SyncOperationKind
{
    /// <summary>The rank sends the chunk to <see cref="SyncOperation.Peer"/> (an <c>ncclSend</c>).</summary>
    Send,

    /// <summary>The rank receives the chunk from <see cref="SyncOperation.Peer"/> (an <c>ncclRecv</c>).</summary>
    Receive,
}

/// <summary>
/// One step of a rank's weight-sync program: send a chunk of an expert's weights to a peer, or receive one from it.
/// A chunk is the byte range <c>[Offset, Offset + Bytes)</c> of the expert's weights; chunk <c>c</c> starts at
/// <c>c x ChunkBytes</c> of the link model it was planned on. Every <see cref="SyncOperationKind.Send"/> on one rank
/// has exactly one matching <see cref="SyncOperationKind.Receive"/> (same expert, chunk and bytes) on its peer.
/// </summary>
/// <param name="Kind">Send or receive.</param>
/// <param name="Peer">The rank on the other end.</param>
/// <param name="Expert">The logical expert whose weights the chunk belongs to.</param>
/// <param name="Chunk">The chunk's index within the expert's weights, from 0.</param>
/// <param name="Offset">The chunk's first byte within the expert's weights.</param>
/// <param name="Bytes">The chunk's size, in bytes.</param>
public readonly record struct SyncOperation(SyncOperationKind Kind, int Peer, int Expert, int Chunk, long Offset, long Bytes);

/// <summary>How an expert's weights reach its receivers.</summary>
public enum SyncMode
{
    /// <summary>The master sends every chunk to every receiver itself.</summary>
    Direct,

    /// <summary>
    /// A two-stage tree: the master sends every chunk to a few relays (receivers themselves), and each relay forwards
    /// each chunk, as soon as it has it, to its share of the other receivers.
    /// </summary>
    Relay,
}
