using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Handlers;

/// <summary>
/// InitProducerId v0-1: a fresh producer id with epoch 0 for an idempotent producer. Transactional ids are
/// refused (transactions are not supported, and AddPartitionsToTxn/EndTxn are not advertised).
/// </summary>
internal static class InitProducerIdHandler
{
    public static KafkaWriter Handle(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<InitProducerIdRequest>();
        var response = body.TransactionalId is not null
            ? new InitProducerIdResponse { ErrorCode = ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 }
            : new InitProducerIdResponse { ProducerId = broker.ProducerIds.Next(), ProducerEpoch = 0 };
        return request.Respond(response);
    }
}
