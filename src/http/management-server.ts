import Fastify, { type FastifyInstance } from 'fastify';
import type { AccessControl } from '../auth/access-control.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { Logger } from '../log.js';
import { routeTableOf, type ApiRequest } from './api.js';
import { authenticate, sendAuthFailure } from './auth.js';
import { HttpError, installErrorHandlers } from './errors.js';
import { absentFeatureRoutes } from './routes/absent-features.js';
import { bindingRoutes } from './routes/bindings.js';
import { connectionRoutes } from './routes/connections.js';
import { definitionRoutes } from './routes/definitions.js';
import { exchangeRoutes } from './routes/exchanges.js';
import { limitRoutes } from './routes/limits.js';
import { policyRoutes } from './routes/policies.js';
import { nodeRoutes } from './routes/node.js';
import { queueRoutes } from './routes/queues.js';
import { vhostAndUserRoutes } from './routes/vhosts-and-users.js';

/** Paths RabbitMQ answers without credentials. */
const PUBLIC_PATHS = new Set(['/api/auth']);

/** Definitions files of big brokers run to megabytes. */
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The management HTTP API (RabbitMQ's paths, verbs, JSON and status codes) on fastify.
 * Every /api route needs Basic auth with a user holding a management tag.
 */
export function createManagementApi(control: ControlPlane, access: AccessControl, log: Logger): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    // Every missing key is reported, as RabbitMQ lists them: [{key_missing,a},{key_missing,b}].
    ajv: { customOptions: { allErrors: true } },
  });

  // RabbitMQ reads JSON whatever the content type says, and an empty body as no body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new HttpError(400, { error: 'bad_request', reason: 'not_json' }), undefined);
    }
    // RabbitMQ decodes every body as a JSON object: a list (or a bare value) is not_json there too.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return done(new HttpError(400, { error: 'bad_request', reason: 'not_json' }), undefined);
    }
    done(null, parsed);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && (request.method === 'PUT' || request.method === 'POST')) request.body = {};
  });

  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || PUBLIC_PATHS.has(request.url.split('?')[0])) return;
    const result = authenticate(request, access);
    if ('status' in result) return sendAuthFailure(reply, result);
    (request as ApiRequest).caller = result;
  });

  nodeRoutes(app, control);
  vhostAndUserRoutes(app, control);
  exchangeRoutes(app, control);
  queueRoutes(app, control);
  bindingRoutes(app, control);
  connectionRoutes(app, control);
  definitionRoutes(app, control);
  policyRoutes(app, control);
  limitRoutes(app, control);
  absentFeatureRoutes(app, control);
  // What the login page asks before anyone has logged in: no OAuth here.
  app.get('/api/auth', async () => ({ enable_uaa: false, uaa_client_id: '', uaa_location: '' }));
  const routes = routeTableOf(app);
  routes.add('GET', '/api/auth');
  installErrorHandlers(app, log, (path) => routes.methodsFor(path));
  return app;
}

/** Starts listening; resolves with the port bound (useful with port 0). */
export async function listenOn(app: FastifyInstance, port: number, host: string): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
