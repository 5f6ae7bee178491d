import type { Command } from 'commander';
import { apiPath, errorReason } from './api-client.js';
import { columnHelp, DEFAULT_TIMEOUT_SECONDS, pickColumns, withContext } from './context.js';
import { CtlError, ExitCode } from './errors.js';
import type { Kind, Row } from './format.js';

/**
 * rabbitmqctl's list_queues columns. Most are fields of the API's queue
 * objects with the same name; the few the API does not report (pids, disk
 * counters, mirrors) print empty, as rabbitmqctl prints them for a classic
 * queue on a single node.
 */
const QUEUE_COLUMNS: Record<string, Kind> = {
  name: 'plain',
  durable: 'plain',
  auto_delete: 'plain',
  arguments: 'table',
  policy: 'plain',
  pid: 'plain',
  owner_pid: 'plain',
  exclusive: 'plain',
  exclusive_consumer_pid: 'plain',
  exclusive_consumer_tag: 'plain',
  messages_ready: 'plain',
  messages_unacknowledged: 'plain',
  messages: 'plain',
  messages_ready_ram: 'plain',
  messages_unacknowledged_ram: 'plain',
  messages_ram: 'plain',
  messages_persistent: 'plain',
  message_bytes: 'plain',
  message_bytes_ready: 'plain',
  message_bytes_unacknowledged: 'plain',
  message_bytes_ram: 'plain',
  message_bytes_persistent: 'plain',
  head_message_timestamp: 'plain',
  disk_reads: 'plain',
  disk_writes: 'plain',
  consumers: 'plain',
  consumer_utilisation: 'plain',
  consumer_capacity: 'plain',
  memory: 'plain',
  slave_pids: 'plain',
  synchronised_slave_pids: 'plain',
  state: 'plain',
  type: 'plain',
  leader: 'plain',
  members: 'plain',
  online: 'plain',
};

interface ApiQueue {
  name: string;
  messages_ready?: number;
  owner_pid_details?: { name?: string };
  [field: string]: unknown;
}

export function registerQueueCommands(program: Command): void {
  program
    .command('list_queues')
    .description('Lists queues in a vhost (-p, default "/"); default columns: name messages')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(QUEUE_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const columns = pickColumns(requested, QUEUE_COLUMNS, ['name', 'messages']);
        ctx.out.banner(`Timeout: ${seconds(ctx.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS)} seconds ...`);
        ctx.out.banner(`Listing queues for vhost ${ctx.vhost} ...`);
        const queues = await ctx.api.list<ApiQueue>(apiPath`/queues/${ctx.vhost}`);
        ctx.out.rows(columns, queues.map(queueRow));
      }),
    );

  program
    .command('purge_queue')
    .description('Removes all ready messages from a queue (-p vhost, default "/")')
    .argument('<queue>')
    .action(
      withContext(async (ctx, queue: string) => {
        ctx.out.banner(`Purging queue '${queue}' in vhost '${ctx.vhost}' ...`);
        const { status } = await ctx.api.delete(apiPath`/queues/${ctx.vhost}/${queue}/contents`, { accept: [404] });
        if (status === 404) throw noSuchQueue(queue, ctx.vhost, ExitCode.UNAVAILABLE);
        await ctx.done();
      }),
    );

  program
    .command('delete_queue')
    .description('Deletes a queue (-p vhost, default "/")')
    .argument('<queue>')
    .option('-e, --if-empty', 'delete only if the queue has no messages')
    .option('-u, --if-unused', 'delete only if the queue has no consumers')
    .action(
      withContext(async (ctx, queue: string, options: { ifEmpty?: boolean; ifUnused?: boolean }) => {
        const conditions = [options.ifEmpty && 'if queue is empty', options.ifUnused && 'if queue is unused'].filter(Boolean);
        ctx.out.banner(`Deleting queue '${queue}' on vhost '${ctx.vhost}' ${conditions.map((c) => `${c} `).join('and ')}...`);
        // rabbitmqctl reports how many ready messages went with the queue;
        // the API's DELETE does not, so read the count first.
        const found = await ctx.api.find<ApiQueue>(apiPath`/queues/${ctx.vhost}/${queue}`);
        // rabbitmqctl exits 64 for all three delete_queue failures.
        if (!found) throw noSuchQueue(queue, ctx.vhost, ExitCode.USAGE);
        const query = new URLSearchParams();
        if (options.ifEmpty) query.set('if-empty', 'true');
        if (options.ifUnused) query.set('if-unused', 'true');
        const path = apiPath`/queues/${ctx.vhost}/${queue}` + (query.size > 0 ? `?${query}` : '');
        const { status, body } = await ctx.api.delete(path, { accept: [400, 404] });
        if (status === 404) throw noSuchQueue(queue, ctx.vhost, ExitCode.USAGE);
        if (status === 400) {
          const reason = errorReason(body);
          const why = /not empty/i.test(reason) ? 'is not empty' : /in use/i.test(reason) ? 'is in use' : `was not deleted: ${reason}`;
          throw new CtlError(`queue '${queue}' in vhost '${ctx.vhost}' ${why}`, ExitCode.USAGE);
        }
        ctx.out.message(`Queue was successfully deleted with ${found.messages_ready ?? 0} ready messages`);
      }),
    );
}

function queueRow(queue: ApiQueue): Row {
  return {
    ...queue,
    // The API names the owning connection where rabbitmqctl shows its Erlang pid.
    owner_pid: queue.owner_pid_details?.name,
  };
}

function noSuchQueue(queue: string, vhost: string, exitCode: ExitCode): CtlError {
  return new CtlError(`queue '${queue}' does not exist in vhost '${vhost}'`, exitCode);
}

/** rabbitmqctl prints its timeout with one decimal: "Timeout: 60.0 seconds ...". */
function seconds(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}
