import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ControlPlane } from '../control/control-plane.js';
import type { JsonObject, JsonValue } from '../control/json-table.js';
import type { AccessLevel, Caller } from './auth.js';
import { notAuthorised } from './errors.js';
import { applyListQuery, pick, type ListQuery } from './list-query.js';

/** A request that passed Basic auth; `caller` is who sent it. */
export type ApiRequest = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string>; Body: unknown }> & {
  caller: Caller;
};

export interface RouteSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  url: string;
  /** The least a caller's tags must grant. */
  level: AccessLevel;
  /** What a caller without it is told, when RabbitMQ words it differently from the level's usual text. */
  refusal?: string;
  /** What a caller without access to the path's vhost is told, when RabbitMQ words it differently. */
  vhostRefusal?: string;
  /** JSON schema of the body (fastify validates it before the handler runs). */
  body?: object;
  handler(request: ApiRequest, reply: FastifyReply): unknown;
}

const LEVEL_REFUSALS: Record<AccessLevel, string> = {
  management: 'Not management user',
  policymaker: 'Not policymaker user',
  monitoring: 'Not monitor user',
  administrator: 'Not administrator user',
};

/**
 * Registers one management route with RabbitMQ's gating: the caller's tags must grant
 * `level`, and a `:vhost` in the path must be one the caller may use (a vhost that
 * does not exist falls through to the handler's 404, as in RabbitMQ).
 */
export function register(app: FastifyInstance, control: ControlPlane, spec: RouteSpec): void {
  routeTableOf(app).add(spec.method, spec.url);
  app.route({
    method: spec.method,
    url: spec.url,
    schema: spec.body ? { body: spec.body } : undefined,
    preHandler: async (request) => {
      const caller = (request as ApiRequest).caller;
      if (!caller.has(spec.level)) throw notAuthorised(spec.refusal ?? LEVEL_REFUSALS[spec.level]);
      const vhost = (request.params as Record<string, string>).vhost;
      if (vhost !== undefined && control.context.core.vhost(vhost) && !caller.mayUseVhost(vhost)) {
        throw notAuthorised(spec.vhostRefusal ?? 'User not authorised to access virtual host');
      }
    },
    handler: (request, reply) => {
      const result = spec.handler(request as ApiRequest, reply);
      // ?columns= applies to single objects too, as in RabbitMQ.
      const columns = (request.query as ListQuery).columns;
      if (columns && result !== reply && isObject(result) && !PAGES.has(result)) return pick([result], columns)[0];
      return result;
    },
  });
}

/** Pages of listings, which ?columns= has already been applied to (inside `items`). */
const PAGES = new WeakSet<object>();

/** A listing, with ?columns=, ?sort= and pagination applied. */
export function listing(request: ApiRequest, items: JsonObject[]): JsonValue {
  const result = applyListQuery(items, request.query as ListQuery);
  if (isObject(result)) PAGES.add(result);
  return result;
}

export function created(reply: FastifyReply, location?: string): FastifyReply {
  if (location !== undefined) reply.header('location', location);
  return reply.code(201).send();
}

export function noContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

/** 201 when the request made something new, 204 when it changed or confirmed what existed (RabbitMQ's answers). */
export function createdOrNoContent(reply: FastifyReply, isNew: boolean): FastifyReply {
  return isNew ? created(reply) : noContent(reply);
}

/** RabbitMQ's boolean query flags (?if-empty=true). */
export function flag(request: ApiRequest, name: string): boolean {
  return request.query[name] === 'true';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The methods each registered path pattern has, to answer 405 with Allow as RabbitMQ does. */
export class RouteTable {
  private readonly patterns = new Map<string, { regex: RegExp; methods: Set<string> }>();

  add(method: string, url: string): void {
    let entry = this.patterns.get(url);
    if (!entry) {
      const source = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
      entry = { regex: new RegExp(`^${source}/?$`), methods: new Set() };
      this.patterns.set(url, entry);
    }
    entry.methods.add(method);
  }

  /** Methods some route has for this path (empty when no route matches it at all). */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const { regex, methods: own } of this.patterns.values()) if (regex.test(path)) for (const m of own) methods.add(m);
    if (methods.has('GET')) methods.add('HEAD');
    if (methods.size > 0) methods.add('OPTIONS');
    return [...methods];
  }
}

const tables = new WeakMap<FastifyInstance, RouteTable>();

export function routeTableOf(app: FastifyInstance): RouteTable {
  let table = tables.get(app);
  if (!table) tables.set(app, (table = new RouteTable()));
  return table;
}
