import type { Command } from 'commander';
import { apiPath } from './api-client.js';
import { withContext } from './context.js';
import { CtlError, ExitCode } from './errors.js';
import type { Column } from './format.js';
import { existingUser } from './users.js';
import { requireVhost } from './vhosts.js';

/** One user's permissions in one vhost, as /api/.../permissions lists them. */
interface ApiPermission {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

const PATTERNS: Column[] = ['configure', 'write', 'read'].map((name) => ({ name, kind: 'plain' }));

export function registerPermissionCommands(program: Command): void {
  program
    .command('set_permissions')
    .description('Sets a user\'s configure, write and read patterns in a vhost (-p, default "/")')
    .argument('<username>')
    .argument('<conf>')
    .argument('<write>')
    .argument('<read>')
    .action(
      withContext(async (ctx, username: string, configure: string, write: string, read: string) => {
        ctx.out.banner(`Setting permissions for user "${username}" in vhost "${ctx.vhost}" ...`);
        // The API answers one 400 for both; rabbitmqctl tells them apart (user 67, then vhost 69).
        await existingUser(ctx, username);
        await requireVhost(ctx, ctx.vhost, ExitCode.UNAVAILABLE);
        await ctx.api.put(apiPath`/permissions/${ctx.vhost}/${username}`, { configure, write, read });
        await ctx.done();
      }),
    );

  program
    .command('clear_permissions')
    .description('Revokes a user\'s permissions in a vhost (-p, default "/")')
    .argument('<username>')
    .action(
      withContext(async (ctx, username: string) => {
        ctx.out.banner(`Clearing permissions for user "${username}" in vhost "${ctx.vhost}" ...`);
        await existingUser(ctx, username);
        await requireVhost(ctx, ctx.vhost, ExitCode.UNAVAILABLE);
        // 404 here means there was nothing to clear, which rabbitmqctl treats as done.
        await ctx.api.delete(apiPath`/permissions/${ctx.vhost}/${username}`, { accept: [404] });
        await ctx.done();
      }),
    );

  program
    .command('list_permissions')
    .description('Lists the permissions of every user in a vhost (-p, default "/")')
    .action(
      withContext(async (ctx) => {
        ctx.out.banner(`Listing permissions for vhost "${ctx.vhost}" ...`);
        const { status, body } = await ctx.api.get<ApiPermission[]>(apiPath`/vhosts/${ctx.vhost}/permissions`, {
          accept: [404],
        });
        if (status === 404) throw new CtlError(`virtual host "${ctx.vhost}" does not exist`, ExitCode.DATAERR);
        ctx.out.rows([{ name: 'user', kind: 'plain' }, ...PATTERNS], body);
      }),
    );

  program
    .command('list_user_permissions')
    .description('Lists the permissions of a user in every vhost')
    .argument('<username>')
    .action(
      withContext(async (ctx, username: string) => {
        ctx.out.banner(`Listing permissions for user "${username}" ...`);
        const { status, body } = await ctx.api.get<ApiPermission[]>(apiPath`/users/${username}/permissions`, {
          accept: [404],
        });
        // 69, not 67: what rabbitmqctl 3.10 returns for this command.
        if (status === 404) throw new CtlError(`user "${username}" does not exist`, ExitCode.UNAVAILABLE);
        ctx.out.rows([{ name: 'vhost', kind: 'plain' }, ...PATTERNS], body);
      }),
    );
}
