namespace Planning.Execution.WeightSync;

/// <summary>
/// One chunk moving over one sender-to-receiver link: the unit the time model schedules, and the pair of
/// <see cref="SyncOperation"/>s (a send and its receive) it becomes in a schedule.
/// </summary>
/// <param name="Sender">The rank that sends the chunk.</param>
/// <param name="Receiver">The rank that receives it.</param>
/// <param name="Expert">The logical expert the chunk belongs to.</param>
/// <param name="Chunk">The chunk's index within the expert's weights.</param>
/// <param name="Offset">The chunk's first byte within the expert's weights.</param>
/// <param name="Bytes">The chunk's size.</param>
/// <param name="Feeder">
/// The index, in the same transfer list, of the transfer that brings this chunk to <paramref name="Sender"/> (a relay
/// forwards only what it has received), or -1 when the sender holds the weights from the start.
/// </param>
internal readonly record struct ChunkTransfer(int Sender, int Receiver, int Expert, int Chunk, long Offset, long Bytes, int Feeder)
{
    /// <summary>The send this transfer is on <see cref="Sender"/>'s program.</summary>
    public SyncOperation SendOperation => new(SyncOperationKind.Send, Receiver, Expert, Chunk, Offset, Bytes);

    /// <summary>The receive this transfer is on <see cref="Receiver"/>'s program.</summary>
    public SyncOperation ReceiveOperation => new(SyncOperationKind.Receive, Sender, Expert, Chunk, Offset, Bytes);
}
