import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { errorReason } from './api-client.js';
import { withContext } from './context.js';
import { CtlError, ExitCode, usageError } from './errors.js';

export function registerDefinitionCommands(program: Command): void {
  program
    .command('export_definitions')
    .description('Writes users, vhosts, permissions, queues, exchanges, bindings and policies as JSON to a file, or - for stdout')
    .argument('<path>', 'file to write, or - for standard output')
    .action(
      withContext(async (ctx, path: string) => {
        const toStdout = path === '-';
        if (!toStdout && !existsSync(dirname(path))) {
          throw new CtlError(`directory ${dirname(path)} does not exist`, ExitCode.DATAERR);
        }
        if (!toStdout) ctx.out.banner(`Exporting definitions in JSON to a file at "${path}" ...`);
        const { body } = await ctx.api.get('/definitions');
        // Compact and without a final newline, as rabbitmqctl writes it.
        const json = JSON.stringify(body);
        if (toStdout) {
          ctx.out.raw(json);
          return;
        }
        try {
          writeFileSync(path, json);
        } catch (error) {
          throw new CtlError(`cannot write ${path}: ${(error as Error).message}`, ExitCode.DATAERR);
        }
        await ctx.done();
      }),
    );

  program
    .command('import_definitions')
    .description('Loads definitions exported by export_definitions (or the management UI) from a file, or - for stdin')
    .argument('<path>', 'file to read, or - for standard input')
    .action(
      withContext(async (ctx, path: string) => {
        const fromStdin = path === '-';
        if (!fromStdin && !existsSync(path)) throw usageError(`file ${path} does not exist`);
        ctx.out.banner(
          fromStdin ? 'Importing definitions in JSON from standard input ...' : `Importing definitions in JSON from a file at "${path}" ...`,
        );
        if (!fromStdin && statSync(path).isDirectory()) throw new CtlError(`path ${path} is a directory`, ExitCode.DATAERR);
        let definitions: unknown;
        try {
          definitions = JSON.parse(fromStdin ? await readStdin() : readFileSync(path, 'utf8'));
        } catch (error) {
          throw new CtlError(`failed to deserialise input (format: JSON): ${(error as Error).message}`, ExitCode.DATAERR);
        }
        if (typeof definitions !== 'object' || definitions === null || Array.isArray(definitions)) {
          throw new CtlError('definitions must be a JSON object', ExitCode.DATAERR);
        }
        const { status, body } = await ctx.api.post('/definitions', definitions, { accept: [400] });
        if (status === 400) throw new CtlError(`failed to import definitions: ${errorReason(body)}`, ExitCode.DATAERR);
        // The API imports before it answers, so unlike rabbitmqctl 3.10 this is not "started".
        ctx.out.banner('Successfully imported definitions.');
        await ctx.done();
      }),
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
