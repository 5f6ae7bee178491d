/**
 * Why a broker operation was refused. The values are AMQP 0-9-1 reply codes because
 * that is the vocabulary every RabbitMQ client already understands; the domain itself
 * never sees a frame or a socket.
 */
export const ErrorCode = {
  NotFound: 404,
  AccessRefused: 403,
  ResourceLocked: 405,
  PreconditionFailed: 406,
  CommandInvalid: 503,
  NotAllowed: 530,
  NotImplemented: 540,
  InternalError: 541,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A refusal a client can act on: the code says what kind, the message says what exactly. */
export class BrokerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

export const notFound = (message: string) => new BrokerError(ErrorCode.NotFound, message);
export const accessRefused = (message: string) => new BrokerError(ErrorCode.AccessRefused, message);
export const resourceLocked = (message: string) => new BrokerError(ErrorCode.ResourceLocked, message);
export const preconditionFailed = (message: string) =>
  new BrokerError(ErrorCode.PreconditionFailed, message);
export const notAllowed = (message: string) => new BrokerError(ErrorCode.NotAllowed, message);
export const commandInvalid = (message: string) => new BrokerError(ErrorCode.CommandInvalid, message);
export const notImplemented = (message: string) => new BrokerError(ErrorCode.NotImplemented, message);
