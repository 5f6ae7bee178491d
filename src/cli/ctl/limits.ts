import type { Command } from 'commander';
import { apiPath } from './api-client.js';
import { type Ctx, withContext } from './context.js';
import { brokerRefusal, vhostDoesNotExist, type CtlError } from './errors.js';
import { jsonObject, plainReason, sortedJson } from './policies.js';

/** One vhost's or user's limits as /api/vhost-limits and /api/user-limits list them. */
interface ApiLimits {
  vhost?: string;
  user?: string;
  /** RabbitMQ shows a vhost whose limits were all removed one by one with [] here. */
  value: Record<string, unknown> | unknown[];
}

type Limits = Record<string, unknown>;

/**
 * vhost limits (max-connections, max-queues) and user limits (max-connections,
 * max-channels). The API sets and clears one limit per request; set_vhost_limits
 * replaces a vhost's limits and set_user_limits merges into a user's, as in
 * rabbitmqctl, so they send one request per limit and, when the broker refuses
 * one, put back what they had changed.
 */
export function registerLimitCommands(program: Command): void {
  program
    .command('set_vhost_limits')
    .description('Replaces the limits of a vhost (-p, default "/"), e.g. \'{"max-connections": 100, "max-queues": 500}\'; negative = unlimited')
    .argument('<definition>', 'limits as a JSON object: max-connections, max-queues')
    .action(
      withContext(async (ctx, definition: string) => {
        const vhost = ctx.vhost;
        ctx.out.banner(`Setting vhost limits to "${definition}" for vhost "${vhost}" ...`);
        const wanted = jsonObject(definition, 'limits', '{"max-connections": 10}');
        const current = await vhostLimits(ctx, vhost);
        if (current === undefined) throw vhostDoesNotExist(vhost);
        await change(ctx, (name) => apiPath`/vhost-limits/${vhost}/${name}`, current, wanted, {
          replace: true,
          missing: () => vhostDoesNotExist(vhost),
        });
        await ctx.done();
      }),
    );

  program
    .command('clear_vhost_limits')
    .description('Removes every limit of a vhost (-p, default "/")')
    .action(
      withContext(async (ctx) => {
        const vhost = ctx.vhost;
        ctx.out.banner(`Clearing vhost "${vhost}" limits ...`);
        const current = await vhostLimits(ctx, vhost);
        // rabbitmqctl says the same for a vhost without limits and for a missing vhost.
        if (current === undefined || Object.keys(current).length === 0) throw brokerRefusal('Parameter does not exist');
        for (const name of Object.keys(current)) await ctx.api.delete(apiPath`/vhost-limits/${vhost}/${name}`, { accept: [404] });
        await ctx.done();
      }),
    );

  program
    .command('list_vhost_limits')
    .description('Shows the limits of a vhost (-p, default "/"), or of every vhost with --global')
    .option('--global', 'every vhost that has limits, one a line')
    .action(
      withContext(async (ctx, options: { global?: boolean }) => {
        if (options.global) {
          ctx.out.banner('Listing limits for all vhosts ...');
          const all = await ctx.api.list<ApiLimits>('/vhost-limits');
          printAll(ctx, 'vhost', all.map((item) => ({ vhost: item.vhost, limits: sortedJson(asLimits(item.value)) })));
          return;
        }
        const vhost = ctx.vhost;
        ctx.out.banner(`Listing limits for vhost "${vhost}" ...`);
        const limits = await vhostLimits(ctx, vhost);
        if (limits === undefined) throw vhostDoesNotExist(vhost);
        if (Object.keys(limits).length === 0) {
          ctx.out.raw(ctx.out.json ? '[]\n' : '\n');
        } else if (ctx.out.json) {
          ctx.out.jsonLine({ node: await ctx.nodeName(), result: 'ok', value: sortedJson(limits) });
        } else {
          ctx.out.raw(`${sortedJson(limits)}\n`);
        }
      }),
    );

  program
    .command('set_user_limits')
    .description('Sets limits on a user, keeping the others, e.g. \'{"max-connections": 10, "max-channels": 100}\'; negative = unlimited')
    .argument('<username>')
    .argument('<definition>', 'limits as a JSON object: max-connections, max-channels')
    .action(
      withContext(async (ctx, username: string, definition: string) => {
        ctx.out.banner(`Setting user limits to "${definition}" for user "${username}" ...`);
        const wanted = jsonObject(definition, 'limits', '{"max-connections": 10}');
        const current = await userLimits(ctx, username);
        if (current === undefined) throw noSuchUser(username);
        await change(ctx, (name) => apiPath`/user-limits/${username}/${name}`, current, wanted, {
          replace: false,
          missing: () => noSuchUser(username),
        });
        await ctx.done();
      }),
    );

  program
    .command('clear_user_limits')
    .description('Removes one limit of a user (max-connections, max-channels), or all of them')
    .argument('<username>')
    .argument('<limit_type>', 'max-connections, max-channels or all')
    .action(
      withContext(async (ctx, username: string, limit: string) => {
        ctx.out.banner(limit === 'all' ? `Clearing all limits for user "${username}" ...` : `Clearing "${limit}" limit for user "${username}" ...`);
        const current = await userLimits(ctx, username);
        if (current === undefined) throw noSuchUser(username);
        // Clearing a limit that is not set (or does not exist) is fine, as in rabbitmqctl.
        const names = limit === 'all' ? Object.keys(current) : Object.keys(current).filter((name) => name === limit);
        for (const name of names) await ctx.api.delete(apiPath`/user-limits/${username}/${name}`, { accept: [404] });
        await ctx.done();
      }),
    );

  program
    .command('list_user_limits')
    .description('Shows the limits of a user (--user, default guest), or of every user with --global')
    .option('--user <username>', 'the user (default guest)')
    .option('--global', 'every user that has limits, one a line')
    .action(
      withContext(async (ctx, options: { user?: string; global?: boolean }) => {
        if (options.global) {
          ctx.out.banner('Listing limits for all users ...');
          const all = await ctx.api.list<ApiLimits>('/user-limits');
          printAll(ctx, 'user', all.map((item) => ({ user: item.user, limits: sortedJson(asLimits(item.value)) })));
          return;
        }
        // rabbitmqctl's default is the user guest, not whoever is logged in.
        const username = options.user ?? 'guest';
        ctx.out.banner(`Listing limits for user "${username}" ...`);
        const limits = await userLimits(ctx, username);
        if (limits === undefined) throw noSuchUser(username);
        ctx.out.message(sortedJson(limits));
      }),
    );
}

/** The --global listings: a header and a line per vhost or user; none is an empty line. */
function printAll(ctx: Ctx, key: 'vhost' | 'user', rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    ctx.out.raw(ctx.out.json ? '[]\n' : '\n');
    return;
  }
  ctx.out.rows(
    [
      { name: key, kind: 'plain' },
      { name: 'limits', kind: 'plain' },
    ],
    rows,
  );
}

/** A vhost's limits ({} when it has none), or undefined when the vhost does not exist. */
async function vhostLimits(ctx: Ctx, vhost: string): Promise<Limits | undefined> {
  return limitsAt(ctx, apiPath`/vhost-limits/${vhost}`);
}

/** A user's limits ({} when it has none), or undefined when there is no such user. */
async function userLimits(ctx: Ctx, username: string): Promise<Limits | undefined> {
  return limitsAt(ctx, apiPath`/user-limits/${username}`);
}

async function limitsAt(ctx: Ctx, path: string): Promise<Limits | undefined> {
  const { status, body } = await ctx.api.get<ApiLimits[]>(path, { accept: [404] });
  if (status === 404) return undefined;
  return Array.isArray(body) && body.length > 0 ? asLimits(body[0].value) : {};
}

function asLimits(value: ApiLimits['value'] | undefined): Limits {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

/**
 * Sets each wanted limit with its own request (and, with `replace`, removes the ones
 * not wanted). When the broker refuses one, the limits set so far go back to what they
 * were, so that a refused command changes nothing, as with rabbitmqctl.
 */
async function change(
  ctx: Ctx,
  pathOf: (name: string) => string,
  current: Limits,
  wanted: Limits,
  options: { replace: boolean; missing: () => CtlError },
): Promise<void> {
  const changed: string[] = [];
  try {
    for (const [name, value] of Object.entries(wanted)) {
      const { status, body } = await ctx.api.put(pathOf(name), { value }, { accept: [400, 404] });
      if (status === 404) throw options.missing();
      if (status === 400) throw refusal(body, options.missing);
      changed.push(name);
    }
  } catch (error) {
    for (const name of changed) {
      const restore = Object.hasOwn(current, name)
        ? ctx.api.put(pathOf(name), { value: current[name] }, { accept: [400, 404] })
        : ctx.api.delete(pathOf(name), { accept: [404] });
      await restore.catch(() => undefined);
    }
    throw error;
  }
  if (options.replace) {
    for (const name of Object.keys(current)) {
      if (!Object.hasOwn(wanted, name)) await ctx.api.delete(pathOf(name), { accept: [404] });
    }
  }
}

/** A 400 as rabbitmqctl reports it; RabbitMQ answers ["no_such_user", name] for a user that went away. */
function refusal(body: unknown, missing: () => CtlError): CtlError {
  const reason = (body as { reason?: unknown } | undefined)?.reason;
  if (Array.isArray(reason) && reason[0] === 'no_such_user') return missing();
  return brokerRefusal(plainReason(body));
}

/** rabbitmqctl prints the Elixir term: {:no_such_user, "name"}. */
function noSuchUser(username: string): CtlError {
  return brokerRefusal(`{:no_such_user, ${JSON.stringify(username)}}`);
}
