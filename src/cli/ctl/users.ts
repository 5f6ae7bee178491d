import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { apiPath, errorReason } from './api-client.js';
import { type Ctx, withContext } from './context.js';
import { CtlError, ExitCode } from './errors.js';
import { tagList } from './format.js';

/** A user as GET /api/users/{name} returns it. */
interface ApiUser {
  name: string;
  tags?: string[] | string;
  password_hash?: string;
  hashing_algorithm?: string;
}

export function registerUserCommands(program: Command): void {
  program
    .command('add_user')
    .description('Creates a user (password from the argument, else the first line of standard input)')
    .argument('<username>')
    .argument('[password]')
    .action(
      withContext(async (ctx, username: string, password: string | undefined) => {
        ctx.out.banner(`Adding user "${username}" ...`);
        const secret = password ?? (await readPassword());
        if (!secret) throw new CtlError('password is not provided via argument or stdin', ExitCode.DATAERR);
        // PUT /api/users creates or overwrites; rabbitmqctl refuses to overwrite.
        if (await ctx.api.find(apiPath`/users/${username}`)) {
          throw new CtlError(`user "${username}" already exists`, ExitCode.SOFTWARE);
        }
        await ctx.api.put(apiPath`/users/${username}`, { password: secret, tags: '' });
        const hint = "Done. Don't forget to grant the user permissions to some virtual hosts! See 'warrenctl help set_permissions' to learn more.";
        if (ctx.out.json) ctx.out.jsonLine({ message: hint, node: await ctx.nodeName(), status: 'ok' });
        else ctx.out.banner(hint);
      }),
    );

  program
    .command('delete_user')
    .description('Deletes a user')
    .argument('<username>')
    .action(
      withContext(async (ctx, username: string) => {
        ctx.out.banner(`Deleting user "${username}" ...`);
        const { status } = await ctx.api.delete(apiPath`/users/${username}`, { accept: [404] });
        if (status === 404) throw noSuchUser(username);
        await ctx.done();
      }),
    );

  program
    .command('change_password')
    .description("Changes a user's password")
    .argument('<username>')
    .argument('<new_password>')
    .action(
      withContext(async (ctx, username: string, password: string) => {
        ctx.out.banner(`Changing password for user "${username}" ...`);
        const user = await existingUser(ctx, username);
        // A PUT replaces the whole user: send the tags back unchanged.
        await ctx.api.put(apiPath`/users/${username}`, { password, tags: tagList(user.tags).join(',') });
        await ctx.done();
      }),
    );

  program
    .command('authenticate_user')
    .description('Checks a username and password; exits 65 if they are refused')
    .argument('<username>')
    .argument('<password>')
    .action(
      withContext(async (ctx, username: string, password: string) => {
        ctx.out.banner(`Authenticating user "${username}" ...`);
        const { status, body } = await ctx.api.get('/whoami', { auth: { username, password }, accept: [401, 403] });
        // The API also answers 401 to a valid login without a management tag
        // ("Not management user"): the password was right all the same.
        if (status !== 200 && !/not management user/i.test(errorReason(body))) {
          throw new CtlError(`failed to authenticate user "${username}"`, ExitCode.DATAERR);
        }
        ctx.out.message('Success');
      }),
    );

  program
    .command('set_user_tags')
    .description("Sets a user's tags (none clears them)")
    .argument('<username>')
    .argument('[tags...]')
    .action(
      withContext(async (ctx, username: string, tags: string[]) => {
        ctx.out.banner(`Setting tags for user "${username}" to [${tags.join(', ')}] ...`);
        const user = await existingUser(ctx, username);
        // A PUT without a password clears it; sending the stored hash keeps it.
        await ctx.api.put(apiPath`/users/${username}`, {
          password_hash: user.password_hash ?? '',
          hashing_algorithm: user.hashing_algorithm,
          tags: tags.join(','),
        });
        await ctx.done();
      }),
    );

  program
    .command('list_users')
    .description('Lists users and their tags')
    .action(
      withContext(async (ctx) => {
        ctx.out.banner('Listing users ...');
        const users = await ctx.api.list<ApiUser>('/users');
        ctx.out.rows(
          [
            { name: 'user', kind: 'plain' },
            { name: 'tags', kind: 'atoms' },
          ],
          users.map((u) => ({ user: u.name, tags: tagList(u.tags) })),
        );
      }),
    );
}

export function noSuchUser(username: string): CtlError {
  return new CtlError(`user "${username}" does not exist`, ExitCode.NOUSER);
}

export async function existingUser(ctx: Ctx, username: string): Promise<ApiUser> {
  const user = await ctx.api.find<ApiUser>(apiPath`/users/${username}`);
  if (!user) throw noSuchUser(username);
  return user;
}

/** The first line of standard input: add_user without a password argument, as rabbitmqctl reads it. */
async function readPassword(): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined });
  try {
    if (process.stdin.isTTY) process.stderr.write('Password: ');
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
  }
}
