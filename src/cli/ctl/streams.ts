import type { Command } from 'commander';
import { apiPath, errorReason } from './api-client.js';
import { withContext } from './context.js';
import { CtlError, ExitCode } from './errors.js';

interface ApiBinding {
  destination: string;
  destination_type: string;
  arguments?: Record<string, unknown>;
}

interface SuperStreamOptions {
  partitions?: string;
  routingKeys?: string;
  maxLengthBytes?: string;
  maxAge?: string;
  streamMaxSegmentSizeBytes?: string;
  leaderLocator?: string;
  initialClusterSize?: string;
}

/**
 * rabbitmq-streams' super stream commands over the management API: a super stream is a
 * durable direct exchange (x-super-stream = true) with its partition streams bound in
 * order (x-stream-partition-order), which is what Route and Partitions read.
 */
export function registerStreamCommands(program: Command): void {
  program
    .command('add_super_stream')
    .description('Creates a super stream: an exchange and its partition streams (-p vhost, default "/"), as rabbitmq-streams does')
    .argument('<name>')
    .option('--partitions <n>', 'partitions <name>-0 ... <name>-(n-1), bound with keys "0" ... (default 3)')
    .option('--routing-keys <keys>', 'comma-separated: partitions <name>-<key>, each bound with its key')
    .option('--max-length-bytes <bytes>', 'retention by size, per partition')
    .option('--max-age <age>', 'retention by age, per partition (e.g. 7D)')
    .option('--stream-max-segment-size-bytes <bytes>', 'segment size of each partition')
    .option('--leader-locator <locator>', 'accepted for compatibility (one node)')
    .option('--initial-cluster-size <n>', 'accepted for compatibility (one node)')
    .action(
      withContext(async (ctx, name: string, options: SuperStreamOptions) => {
        const partitions = partitionsOf(name, options);
        ctx.out.banner(`Adding a super stream ${name} ...`);
        const exchangePath = apiPath`/exchanges/${ctx.vhost}/${name}`;
        if (await ctx.api.find(exchangePath)) throw new CtlError(`there is already an exchange named ${name}`, ExitCode.USAGE);
        for (const { stream } of partitions) {
          if (await ctx.api.find(apiPath`/queues/${ctx.vhost}/${stream}`)) throw new CtlError(`there is already a queue named ${stream}`, ExitCode.USAGE);
        }
        await put(ctx.api, exchangePath, { type: 'direct', durable: true, auto_delete: false, internal: false, arguments: { 'x-super-stream': true } });
        const args = streamArguments(options);
        for (const [order, { stream, key }] of partitions.entries()) {
          await put(ctx.api, apiPath`/queues/${ctx.vhost}/${stream}`, { durable: true, auto_delete: false, arguments: args });
          const { status, body } = await ctx.api.post(apiPath`/bindings/${ctx.vhost}/e/${name}/q/${stream}`, { routing_key: key, arguments: { 'x-stream-partition-order': order } }, { accept: [400] });
          if (status === 400) throw new CtlError(`could not bind partition ${stream}: ${errorReason(body)}`, ExitCode.USAGE);
        }
        ctx.out.message(`Super stream ${name} was created`);
      }),
    );

  program
    .command('delete_super_stream')
    .description('Deletes a super stream: its exchange and partition streams (-p vhost, default "/")')
    .argument('<name>')
    .action(
      withContext(async (ctx, name: string) => {
        ctx.out.banner(`Deleting a super stream ${name} ...`);
        const exchangePath = apiPath`/exchanges/${ctx.vhost}/${name}`;
        if (!(await ctx.api.find(exchangePath))) throw new CtlError(`super stream ${name} does not exist`, ExitCode.USAGE);
        const bindings = await ctx.api.list<ApiBinding>(apiPath`/exchanges/${ctx.vhost}/${name}/bindings/source`);
        await ctx.api.delete(exchangePath, { accept: [404] });
        for (const binding of bindings) {
          if (binding.destination_type === 'queue') await ctx.api.delete(apiPath`/queues/${ctx.vhost}/${binding.destination}`, { accept: [404] });
        }
        ctx.out.message(`Super stream ${name} was deleted`);
      }),
    );
}

function partitionsOf(name: string, options: SuperStreamOptions): { stream: string; key: string }[] {
  if (options.routingKeys !== undefined && options.partitions !== undefined) {
    throw new CtlError('Specify --partitions or --routing-keys, not both', ExitCode.USAGE);
  }
  if (options.routingKeys !== undefined) {
    const keys = options.routingKeys.split(',').map((k) => k.trim()).filter((k) => k !== '');
    if (keys.length === 0) throw new CtlError('--routing-keys needs at least one key', ExitCode.USAGE);
    return keys.map((key) => ({ stream: `${name}-${key}`, key }));
  }
  const count = Number(options.partitions ?? 3);
  if (!Number.isInteger(count) || count < 1) throw new CtlError(`--partitions must be a positive integer, got ${options.partitions}`, ExitCode.USAGE);
  return Array.from({ length: count }, (_, i) => ({ stream: `${name}-${i}`, key: String(i) }));
}

function streamArguments(options: SuperStreamOptions): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': 'stream' };
  const integer = (flag: string, value: string | undefined, argument: string) => {
    if (value === undefined) return;
    if (!/^\d+$/.test(value)) throw new CtlError(`${flag} must be an integer, got ${value}`, ExitCode.USAGE);
    args[argument] = Number(value);
  };
  integer('--max-length-bytes', options.maxLengthBytes, 'x-max-length-bytes');
  integer('--stream-max-segment-size-bytes', options.streamMaxSegmentSizeBytes, 'x-stream-max-segment-size-bytes');
  integer('--initial-cluster-size', options.initialClusterSize, 'x-initial-cluster-size');
  if (options.maxAge !== undefined) args['x-max-age'] = options.maxAge;
  if (options.leaderLocator !== undefined) args['x-queue-leader-locator'] = options.leaderLocator;
  return args;
}

async function put(api: { put(path: string, body: unknown, options?: { accept?: number[] }): Promise<{ status: number; body: unknown }> }, path: string, body: unknown): Promise<void> {
  const { status, body: answer } = await api.put(path, body, { accept: [400] });
  if (status === 400) throw new CtlError(`${path}: ${errorReason(answer)}`, ExitCode.USAGE);
}
