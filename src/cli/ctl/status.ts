import type { Command } from 'commander';
import { apiPath } from './api-client.js';
import { withContext } from './context.js';
import { CtlError, ExitCode } from './errors.js';

/** The parts of GET /api/overview that status reads. */
interface ApiOverview {
  node?: string;
  rabbitmq_version?: string;
  product_version?: string;
  erlang_full_version?: string;
  object_totals?: { connections?: number; queues?: number };
  listeners?: { protocol?: string; ip_address?: string; port?: number; node?: string }[];
}

/** The parts of GET /api/nodes/{node} that status reads. */
interface ApiNode {
  os_pid?: string | number;
  uptime?: number;
  proc_used?: number;
  proc_total?: number;
  run_queue?: number;
  mem_used?: number;
  mem_limit?: number;
  mem_alarm?: boolean;
  disk_free?: number;
  disk_free_limit?: number;
  disk_free_alarm?: boolean;
  fd_used?: number;
  fd_total?: number;
  sockets_used?: number;
  sockets_total?: number;
}

/** What rabbitmqctl status says each listener is for. */
const PURPOSES: Record<string, string> = {
  amqp: 'AMQP 0-9-1 and AMQP 1.0',
  'amqp/ssl': 'AMQP 0-9-1 and AMQP 1.0 over TLS',
  clustering: 'inter-node and CLI tool communication',
  http: 'HTTP API',
  https: 'HTTP API over TLS (HTTPS)',
};

/** Time between tries of await_startup, and its default limit (rabbitmqctl's). */
const AWAIT_RETRY_MS = 500;
const AWAIT_DEFAULT_SECONDS = 300;

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description('Shows the node: versions, uptime, memory, disk, file descriptors, totals, listeners, alarms')
    .action(
      withContext(async (ctx) => {
        const { body: overview } = await ctx.api.get<ApiOverview>('/overview');
        const node = overview.node ?? '';
        ctx.out.banner(`Status of node ${node} ...`);
        const nodeStats = (node && (await ctx.api.find<ApiNode>(apiPath`/nodes/${node}`))) || {};
        const vhostCount = (await ctx.api.list('/vhosts')).length;
        const alarms = [nodeStats.mem_alarm && 'memory', nodeStats.disk_free_alarm && 'disk'].filter(Boolean) as string[];
        const listeners = (overview.listeners ?? []).map((l) => ({
          // rabbitmqctl writes IPv6 addresses in brackets: [::]
          interface: l.ip_address?.includes(':') ? `[${l.ip_address}]` : l.ip_address,
          node: l.node ?? node,
          port: l.port,
          protocol: l.protocol,
          purpose: PURPOSES[l.protocol ?? ''] ?? l.protocol,
        }));
        const version = overview.rabbitmq_version ?? overview.product_version;
        const uptime = nodeStats.uptime === undefined ? undefined : Math.floor(nodeStats.uptime / 1000);

        if (ctx.out.json) {
          ctx.out.jsonLine({
            alarms,
            disk_free: nodeStats.disk_free,
            disk_free_limit: nodeStats.disk_free_limit,
            erlang_version: overview.erlang_full_version,
            file_descriptors: {
              sockets_limit: nodeStats.sockets_total,
              sockets_used: nodeStats.sockets_used,
              total_limit: nodeStats.fd_total,
              total_used: nodeStats.fd_used,
            },
            listeners,
            node,
            pid: nodeStats.os_pid === undefined ? undefined : Number(nodeStats.os_pid),
            processes: { limit: nodeStats.proc_total, used: nodeStats.proc_used },
            rabbitmq_version: version,
            run_queue: nodeStats.run_queue,
            totals: {
              virtual_host_count: vhostCount,
              connection_count: overview.object_totals?.connections,
              queue_count: overview.object_totals?.queues,
            },
            uptime,
            vm_memory_high_watermark_limit: nodeStats.mem_limit,
            vm_memory_used: nodeStats.mem_used,
          });
          return;
        }

        // Sections and labels as rabbitmqctl status prints them; lines whose
        // value the API does not give are left out.
        const lines: string[] = [];
        const section = (title: string) => lines.push(...(lines.length > 0 ? [''] : []), title, '');
        const line = (label: string, value: unknown) => {
          if (value !== undefined && value !== null) lines.push(`${label}: ${value}`);
        };
        const pair = (label: string, used: unknown, limit: unknown, unit: string) => {
          if (used !== undefined) lines.push(`${label}: ${used} ${unit}, ${limit ?? 'unknown'} limit`.replace(/ +,/, ','));
        };
        section('Runtime');
        line('OS PID', nodeStats.os_pid);
        line('Uptime (seconds)', uptime);
        line('RabbitMQ version', version);
        line('Node name', node);
        line('Erlang configuration', overview.erlang_full_version);
        pair('Erlang processes', nodeStats.proc_used, nodeStats.proc_total, 'used');
        line('Scheduler run queue', nodeStats.run_queue);
        section('Alarms');
        lines.push(...(alarms.length === 0 ? ['(none)'] : alarms.map((a) => (a === 'disk' ? `Free disk space alarm on node ${node}` : `Memory alarm on node ${node}`))));
        section('Memory');
        line('Total memory used', gigabytes(nodeStats.mem_used));
        line('Memory high watermark', gigabytes(nodeStats.mem_limit));
        section('File Descriptors');
        if (nodeStats.fd_used !== undefined) lines.push(`Total: ${nodeStats.fd_used}, limit: ${nodeStats.fd_total ?? 'unknown'}`);
        if (nodeStats.sockets_used !== undefined) lines.push(`Sockets: ${nodeStats.sockets_used}, limit: ${nodeStats.sockets_total ?? 'unknown'}`);
        section('Free Disk Space');
        line('Low free disk space watermark', gigabytes(nodeStats.disk_free_limit));
        line('Free disk space', gigabytes(nodeStats.disk_free));
        section('Totals');
        line('Connection count', overview.object_totals?.connections);
        line('Queue count', overview.object_totals?.queues);
        line('Virtual host count', vhostCount);
        section('Listeners');
        for (const l of listeners) lines.push(`Interface: ${l.interface}, port: ${l.port}, protocol: ${l.protocol}, purpose: ${l.purpose}`);
        ctx.out.raw(`${lines.join('\n')}\n`);
      }),
    );

  program
    .command('await_startup')
    .description(`Waits until the broker's API answers (up to --timeout seconds, default ${AWAIT_DEFAULT_SECONDS})`)
    .action(
      withContext(async (ctx) => {
        const limitSeconds = ctx.timeoutSeconds ?? AWAIT_DEFAULT_SECONDS;
        const deadline = Date.now() + limitSeconds * 1000;
        for (;;) {
          try {
            await ctx.api.get('/overview', { timeoutMs: Math.max(1, Math.min(deadline - Date.now(), 10_000)) });
            break;
          } catch (error) {
            // Only "not up yet" is worth waiting for; refused credentials will not improve.
            const notUpYet =
              error instanceof CtlError && (error.exitCode === ExitCode.UNAVAILABLE || error.exitCode === ExitCode.TEMPFAIL);
            if (!notUpYet) throw error;
            if (Date.now() + AWAIT_RETRY_MS >= deadline) {
              throw new CtlError(`broker did not start within ${limitSeconds} seconds; last error: ${error.message}`, ExitCode.UNAVAILABLE);
            }
            await new Promise((resolve) => setTimeout(resolve, AWAIT_RETRY_MS));
          }
        }
        await ctx.done();
      }),
    );
}

/** rabbitmqctl prints sizes in units of 10^9 bytes with up to four decimals: "0.05 gb". */
function gigabytes(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : `${Number((bytes / 1e9).toFixed(4))} gb`;
}

