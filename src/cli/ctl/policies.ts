import { type Command, InvalidArgumentError } from 'commander';
import { apiPath, errorReason } from './api-client.js';
import { type Ctx, withContext } from './context.js';
import { brokerRefusal, vhostDoesNotExist } from './errors.js';
import type { Column } from './format.js';

/** A policy as /api/policies and /api/operator-policies give it. */
interface ApiPolicy {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': string;
  definition: unknown;
  priority: number;
}

const POLICY_COLUMNS: Column[] = ['vhost', 'name', 'pattern', 'apply-to', 'definition', 'priority'].map((name) => ({ name, kind: 'plain' }));

/** What differs between the two families of commands: the API path and rabbitmqctl's words. */
interface PolicyFamily {
  /** set_policy, set_operator_policy (and clear_ the same). */
  command: string;
  /** list_policies, list_operator_policies. */
  listCommand: string;
  /** The API's collection: /api/policies, /api/operator-policies. */
  path: '/policies' | '/operator-policies';
  setting: string;
  clearing: string;
  listing: string;
  /** For --help, with its article. */
  noun: string;
  summary: string;
}

const FAMILIES: PolicyFamily[] = [
  {
    command: 'policy',
    listCommand: 'list_policies',
    path: '/policies',
    setting: 'Setting policy',
    clearing: 'Clearing policy',
    listing: 'Listing policies',
    noun: 'a policy',
    summary: 'a policy',
  },
  {
    command: 'operator_policy',
    listCommand: 'list_operator_policies',
    path: '/operator-policies',
    setting: 'Setting operator policy override',
    clearing: 'Clearing operator policy',
    listing: 'Listing operator policy overrides',
    noun: 'an operator policy',
    summary: 'an operator policy (limits that cap what user policies and queue arguments set)',
  },
];

export function registerPolicyCommands(program: Command): void {
  for (const family of FAMILIES) registerFamily(program, family);
}

function registerFamily(program: Command, family: PolicyFamily): void {
  const { command, path, noun } = family;
  program
    .command(`set_${command}`)
    .description(`Sets or updates ${family.summary} in a vhost (-p, default "/")`)
    .argument('<name>', 'policy name')
    .argument('<pattern>', 'regular expression over queue and exchange names (unanchored)')
    .argument('<definition>', 'policy settings as a JSON object, e.g. \'{"max-length":1000}\'')
    .option('--priority <priority>', 'an integer; of the policies matching a name, the highest priority applies (default 0)', parsePriority)
    .option('--apply-to <apply-to>', 'queues, classic_queues, quorum_queues, streams, exchanges or all (default all)')
    .action(
      withContext(async (ctx, name: string, pattern: string, definition: string, options: { priority?: number; applyTo?: string }) => {
        const priority = options.priority ?? 0;
        // The definition is echoed as typed; the broker stores (and lists) it with sorted keys.
        ctx.out.banner(`${family.setting} "${name}" for pattern "${pattern}" to "${definition}" with priority "${priority}" for vhost "${ctx.vhost}" ...`);
        const body = { pattern, definition: jsonObject(definition, 'a policy definition', '{"max-length":1000}'), priority, 'apply-to': options.applyTo ?? 'all' };
        const { status, body: answer } = await ctx.api.put(path + apiPath`/${ctx.vhost}/${name}`, body, { accept: [400, 404] });
        if (status === 404) throw vhostDoesNotExist(ctx.vhost);
        if (status === 400) throw brokerRefusal(plainReason(answer));
        await ctx.done();
      }),
    );

  program
    .command(`clear_${command}`)
    .description(`Removes ${noun} from a vhost (-p, default "/")`)
    .argument('<name>', 'policy name')
    .action(
      withContext(async (ctx, name: string) => {
        ctx.out.banner(`${family.clearing} "${name}" on vhost "${ctx.vhost}" ...`);
        const { status } = await ctx.api.delete(path + apiPath`/${ctx.vhost}/${name}`, { accept: [404] });
        // rabbitmqctl says the same for a missing policy and for a missing vhost.
        if (status === 404) throw brokerRefusal('Parameter does not exist');
        await ctx.done();
      }),
    );

  program
    .command(family.listCommand)
    .description(`Lists the ${family.listCommand === 'list_policies' ? 'policies' : 'operator policies'} of a vhost (-p, default "/"), lowest priority first`)
    .action(
      withContext(async (ctx) => {
        ctx.out.banner(`${family.listing} for vhost "${ctx.vhost}" ...`);
        const { status, body } = await ctx.api.get<ApiPolicy[]>(path + apiPath`/${ctx.vhost}`, { accept: [404] });
        if (status === 404) throw vhostDoesNotExist(ctx.vhost);
        printPolicies(ctx, Array.isArray(body) ? body : []);
      }),
    );
}

/**
 * rabbitmqctl's listing: ascending priority, the definition as JSON with sorted keys (a
 * string in --formatter json). No policies at all is an empty line, without a header
 * (in JSON: []).
 */
function printPolicies(ctx: Ctx, policies: ApiPolicy[]): void {
  const rows = [...policies]
    .sort((a, b) => Number(a.priority) - Number(b.priority))
    .map((policy) => ({ ...policy, definition: sortedJson(policy.definition) }));
  if (rows.length === 0) {
    ctx.out.raw(ctx.out.json ? '[]\n' : '\n');
    return;
  }
  ctx.out.rows(POLICY_COLUMNS, rows);
}

/** rabbitmqctl takes --priority as an integer; anything else is a usage error (exit 64). */
function parsePriority(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new InvalidArgumentError('the priority must be an integer.');
  return Number(value);
}

/** A JSON argument, or rabbitmqctl's error for one that is not JSON (exit 69). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw brokerRefusal('JSON decoding error. Reason: badarg');
  }
}

/**
 * A JSON object argument. Not JSON is rabbitmqctl's decoding error; other JSON (a list,
 * a string) crashes rabbitmqctl 3.10 with a badmap (exit 69) and RabbitMQ's API with a
 * 500, so warrenctl refuses it itself, with the same exit code.
 */
export function jsonObject(text: string, what: string, example: string): Record<string, unknown> {
  const parsed = parseJson(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw brokerRefusal(`${what} must be a JSON object, such as ${example}; got ${text}`);
  }
  return parsed as Record<string, unknown>;
}

/** JSON with the keys of every object sorted, as RabbitMQ encodes a map. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => [key, sortKeys(item)]),
  );
}

/**
 * A refusal's reason as rabbitmqctl prints it. RabbitMQ 3.10's management API
 * HTML-escapes the Erlang terms in policy errors (&lt;&lt;"x"&gt;&gt;); rabbitmqctl
 * and Warren show them plain (<<"x">>).
 */
export function plainReason(body: unknown): string {
  return errorReason(body).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}
