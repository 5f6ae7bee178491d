/**
 * Why a control-plane request was refused, in RabbitMQ management's vocabulary. The
 * HTTP layer maps each kind to its status code; the facade itself knows no HTTP.
 *
 *   not_found       the object named in the request does not exist (404 "Object Not Found")
 *   bad_request     the request is malformed or cannot be honoured (400)
 *   not_authorised  the user may not do this (401)
 */
export type ControlErrorKind = 'not_found' | 'bad_request' | 'not_authorised';

export class ControlError extends Error {
  constructor(
    readonly kind: ControlErrorKind,
    /** The text RabbitMQ puts in `reason`; a string, or the JSON it sends for structured reasons. */
    readonly reason: string | unknown[],
  ) {
    super(typeof reason === 'string' ? reason : JSON.stringify(reason));
    this.name = 'ControlError';
  }
}

export const objectNotFound = () => new ControlError('not_found', 'Not Found');
export const badRequest = (reason: string | unknown[]) => new ControlError('bad_request', reason);
export const notAuthorised = (reason: string) => new ControlError('not_authorised', reason);
