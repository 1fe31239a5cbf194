namespace Weir.Broker.Storage;

/// <summary>Something with appended data that the <see cref="LogFlusher"/> forces to disk.</summary>
internal interface IFlushable
{
    /// <summary>fsyncs what was written since the last call; a no-op when nothing was.</summary>
    void Flush();
}
