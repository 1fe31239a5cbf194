using System.Diagnostics.CodeAnalysis;

namespace Weir.Broker.Protocol;

/// <summary>
/// The bytes a client sent do not follow the Kafka protocol (truncated field, impossible length, unknown
/// version). The connection boundary logs it once with the client address and closes the connection.
/// </summary>
internal sealed class ProtocolException(string message) : Exception(message)
{
    [DoesNotReturn]
    public static void Throw(string message) => throw new ProtocolException(message);

    [DoesNotReturn]
    public static T Throw<T>(string message) => throw new ProtocolException(message);
}
