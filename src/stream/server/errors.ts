import { BrokerError, ErrorCode } from '../../broker/errors.js';
import { ResponseCode } from '../protocol/index.js';

/** A request refused with a response code (the client sees the code; the log line says why). */
export class StreamRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'StreamRefusal';
  }
}

/** The response code for a domain refusal, as RabbitMQ's stream plugin maps them. */
export function responseCodeOf(error: unknown): number {
  if (error instanceof StreamRefusal) return error.code;
  if (error instanceof BrokerError) {
    switch (error.code) {
      case ErrorCode.NotFound:
        return ResponseCode.STREAM_DOES_NOT_EXIST;
      case ErrorCode.AccessRefused:
        return ResponseCode.ACCESS_REFUSED;
      case ErrorCode.PreconditionFailed:
      case ErrorCode.ResourceLocked:
      case ErrorCode.NotAllowed:
        return ResponseCode.PRECONDITION_FAILED;
      default:
        return ResponseCode.INTERNAL_ERROR;
    }
  }
  return ResponseCode.INTERNAL_ERROR;
}
