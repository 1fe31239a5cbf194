using Weir.Broker.Protocol;

namespace Weir.Broker.Network;

/// <summary>One decoded request header and its body (a slice of the pooled frame buffer, valid until the response is sent).</summary>
internal sealed class RequestContext(RequestHeader header, Memory<byte> body, ClientConnection connection)
{
    public RequestHeader Header { get; } = header;

    public short Version => Header.ApiVersion;

    public Memory<byte> Body { get; } = body;

    public ClientConnection Connection { get; } = connection;

    public string ClientAddress => Connection.ClientAddress;

    public T Parse<T>()
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(Body);
        return T.Read(ref reader, Header.ApiVersion);
    }

    /// <summary>A response frame: size, correlation id (response header v0), body.</summary>
    public KafkaWriter Respond<T>(T response)
        where T : IKafkaMessage<T>
    {
        var writer = new KafkaWriter();
        var size = writer.ReserveInt32();
        writer.WriteInt32(Header.CorrelationId);
        response.Write(writer, Header.ApiVersion);
        writer.PatchInt32(size, writer.Length + writer.FileBytes - 4);
        return writer;
    }
}
