import type { Command } from 'commander';
import { apiPath, errorReason } from './api-client.js';
import { columnHelp, type Ctx, pickColumns, withContext } from './context.js';
import { brokerRefusal, CtlError, ExitCode } from './errors.js';
import type { Kind } from './format.js';

const VHOST_COLUMNS: Record<string, Kind> = {
  name: 'plain',
  description: 'plain',
  tags: 'atoms',
  default_queue_type: 'plain',
  tracing: 'plain',
  cluster_state: 'nodeStates',
};

export function registerVhostCommands(program: Command): void {
  program
    .command('add_vhost')
    .description('Creates a virtual host (nothing happens if it exists)')
    .argument('<vhost>')
    .option('--description <description>', 'virtual host description')
    .option('--tags <tags>', 'comma-separated list of tags')
    .option('--default-queue-type <type>', 'queue type for clients that do not name one (classic, quorum, stream)')
    .action(
      withContext(async (ctx, vhost: string, options: { description?: string; tags?: string; defaultQueueType?: string }) => {
        ctx.out.banner(`Adding vhost "${vhost}" ...`);
        // PUT would update an existing vhost's description and tags;
        // rabbitmqctl leaves an existing vhost as it is.
        if (await ctx.api.find(apiPath`/vhosts/${vhost}`)) return ctx.done();
        const body: Record<string, string> = {};
        if (options.description !== undefined) body.description = options.description;
        if (options.tags !== undefined) body.tags = options.tags;
        if (options.defaultQueueType !== undefined) {
          // RabbitMQ 3.10's API reads defaultqueuetype and ignores default_queue_type;
          // 3.12+ reads default_queue_type first. Warren takes either.
          body.defaultqueuetype = options.defaultQueueType;
          body.default_queue_type = options.defaultQueueType;
        }
        // A type the broker does not know: 400 from Warren, 500 from RabbitMQ 3.10.
        const { status, body: answer } = await ctx.api.put(apiPath`/vhosts/${vhost}`, body, { accept: [400, 500] });
        if (status >= 400) {
          const reason = errorReason(answer);
          if (/invalid_queue_type/.test(reason)) throw brokerRefusal('invalid_queue_type');
          throw new CtlError(`vhost "${vhost}" was not added: ${status}${reason ? ` ${reason}` : ''}`, ExitCode.SOFTWARE);
        }
        await ctx.done();
      }),
    );

  program
    .command('delete_vhost')
    .description('Deletes a virtual host and everything in it')
    .argument('<vhost>')
    .action(
      withContext(async (ctx, vhost: string) => {
        ctx.out.banner(`Deleting vhost "${vhost}" ...`);
        const { status } = await ctx.api.delete(apiPath`/vhosts/${vhost}`, { accept: [404] });
        // rabbitmqctl exits 65 (data error) here, not 69 as set_permissions does.
        if (status === 404) throw new CtlError(`virtual host "${vhost}" does not exist`, ExitCode.DATAERR);
        await ctx.done();
      }),
    );

  program
    .command('list_vhosts')
    .description('Lists virtual hosts; default column: name')
    .argument('[columns...]')
    .addHelpText('after', columnHelp(VHOST_COLUMNS))
    .action(
      withContext(async (ctx, requested: string[]) => {
        const columns = pickColumns(requested, VHOST_COLUMNS, ['name']);
        ctx.out.banner('Listing vhosts ...');
        ctx.out.rows(columns, await ctx.api.list<Record<string, unknown>>('/vhosts'));
      }),
    );
}

/** Throws rabbitmqctl's "no such vhost" error with the exit code the calling command uses. */
export async function requireVhost(ctx: Ctx, vhost: string, exitCode: ExitCode): Promise<void> {
  if (!(await ctx.api.find(apiPath`/vhosts/${vhost}`))) {
    throw new CtlError(`virtual host "${vhost}" does not exist`, exitCode);
  }
}
