import { AmqpError } from '../amqp/errors.js';
import { ReplyCode, type Method } from '../amqp/spec.generated.js';
import { BrokerError } from '../broker/errors.js';

/**
 * Whatever a handler threw, as the AMQP error to close with: domain refusals keep
 * their code, protocol errors pass through, anything else is a bug (541) that closes
 * only this connection.
 */
export function toAmqpError(error: unknown, method: Method | undefined): AmqpError {
  const classId = method ? method.id >>> 16 : 0;
  const methodId = method ? method.id & 0xffff : 0;
  if (error instanceof AmqpError) {
    if (error.classId === 0 && method) return new AmqpError(error.code, error.message, classId, methodId);
    return error;
  }
  if (error instanceof BrokerError) return new AmqpError(error.code, error.message, classId, methodId);
  if (error instanceof RangeError) {
    // Reading past the end of a malformed frame or content header.
    return new AmqpError(ReplyCode.SYNTAX_ERROR, `malformed frame: ${error.message}`, classId, methodId);
  }
  return new AmqpError(ReplyCode.INTERNAL_ERROR, 'internal error', classId, methodId);
}

export function channelError(code: number, text: string, method?: Method): AmqpError {
  return new AmqpError(code, text, method ? method.id >>> 16 : 0, method ? method.id & 0xffff : 0);
}
