import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerError, ErrorCode } from '../broker/errors.js';
import { ControlError } from '../control/errors.js';
import type { Logger } from '../log.js';

/** RabbitMQ's error body. */
export interface ErrorBody {
  error: string;
  reason: unknown;
}

/** A refusal the HTTP layer itself makes (tag and vhost gating, bad query strings). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(typeof body.reason === 'string' ? body.reason : JSON.stringify(body.reason));
  }
}

export const notAuthorised = (reason: string) => new HttpError(401, { error: 'not_authorised', reason });
export const OBJECT_NOT_FOUND: ErrorBody = { error: 'Object Not Found', reason: 'Not Found' };

/**
 * Any error as RabbitMQ's management API would answer it:
 *  - control-plane refusals by kind (404 Object Not Found, 400 bad_request, 401 not_authorised);
 *  - AMQP-level refusals from the domain as RabbitMQ maps its internal channel's errors:
 *    404 not_found with the text, 403 as 401 "Access refused.", the rest 400 bad_request;
 *  - body validation failures as 400 bad_request, missing keys as RabbitMQ lists them;
 *  - anything else is a bug: 500, logged.
 */
export function errorReply(error: unknown, log: Logger): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) return { status: error.status, body: error.body };
  if (error instanceof ControlError) {
    if (error.kind === 'not_found') return { status: 404, body: OBJECT_NOT_FOUND };
    if (error.kind === 'not_authorised') return { status: 401, body: { error: 'not_authorised', reason: error.reason } };
    return { status: 400, body: { error: 'bad_request', reason: error.reason } };
  }
  if (error instanceof BrokerError) {
    if (error.code === ErrorCode.NotFound) return { status: 404, body: { error: 'not_found', reason: error.message } };
    if (error.code === ErrorCode.AccessRefused) return { status: 401, body: { error: 'not_authorised', reason: 'Access refused.' } };
    return { status: 400, body: { error: 'bad_request', reason: error.message } };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return { status: 400, body: { error: 'bad_request', reason: validationReason(fastifyError) } };
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, body: { error: 'bad_request', reason: fastifyError.message } };
  }
  log.error({ err: error }, 'management API request failed');
  return { status: 500, body: { error: 'internal_error', reason: (error as Error).message ?? String(error) } };
}

/** RabbitMQ lists missing keys as [{key_missing,count}]; other problems get ajv's words. */
function validationReason(error: FastifyError): string {
  const missing = (error.validation ?? [])
    .filter((issue) => issue.keyword === 'required')
    .map((issue) => `{key_missing,${String((issue.params as { missingProperty?: string }).missingProperty)}}`);
  if (missing.length > 0) return `[${missing.join(',')}]`;
  return error.message;
}

/**
 * Errors as RabbitMQ's bodies; unknown paths 404 Object Not Found; a known path with a
 * method it does not have 405 with Allow and no body (RabbitMQ's answer).
 */
export function installErrorHandlers(
  app: { setErrorHandler: (h: (e: unknown, req: FastifyRequest, reply: FastifyReply) => void) => void; setNotFoundHandler: (h: (req: FastifyRequest, reply: FastifyReply) => void) => void },
  log: Logger,
  methodsFor: (path: string) => string[],
): void {
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorReply(error, log);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = methodsFor(path);
    if (allowed.length > 0) {
      void reply.code(405).header('allow', allowed.join(', ')).send();
      return;
    }
    void reply.code(404).send(OBJECT_NOT_FOUND);
  });
}
