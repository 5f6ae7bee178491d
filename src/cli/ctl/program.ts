import { Command, CommanderError } from 'commander';
import { VERSION } from '../../version.js';
import { registerConnectionCommands } from './connections.js';
import { DEFAULT_API_URL } from './context.js';
import { registerDefinitionCommands } from './definitions.js';
import { CtlError, ExitCode } from './errors.js';
import { registerExchangeCommands } from './exchanges.js';
import { registerLimitCommands } from './limits.js';
import { registerPermissionCommands } from './permissions.js';
import { registerPolicyCommands } from './policies.js';
import { registerQueueCommands } from './queues.js';
import { registerStreamCommands } from './streams.js';
import { registerStatusCommands } from './status.js';
import { registerUserCommands } from './users.js';
import { registerVhostCommands } from './vhosts.js';

/**
 * warrenctl's command line: rabbitmqctl's commands and flags, served through
 * the management HTTP API. Global options are defined once on the program;
 * commander accepts them before or after the command name, as rabbitmqctl
 * does (`-p v list_queues` and `list_queues -p v`).
 */
export function buildProgram(writeErr: (text: string) => void): Command {
  const program = new Command('warrenctl')
    .description("Operate a Warren (or RabbitMQ) broker through its management HTTP API, with rabbitmqctl's commands")
    .version(VERSION, '-V, --version')
    .option('--api <url>', `management API base URL (WARREN_API, config apiUrl; default ${DEFAULT_API_URL})`)
    .option('--username <name>', 'API user (WARREN_USERNAME, config username; default guest)')
    .option('--password <password>', 'API password (WARREN_PASSWORD, config password; default guest)')
    .option('--config <file>', 'JSON file with apiUrl, username, password (WARREN_CONFIG); other keys are ignored')
    .option('-p, --vhost <vhost>', 'virtual host for vhost-scoped commands (default /)')
    .option('-q, --quiet', 'no informational banner lines')
    .option('-s, --silent', 'no banner lines and no table header')
    .option('--no-table-headers', 'no table header row')
    .option('--formatter <name>', 'table (default), json or csv')
    .option('-t, --timeout <seconds>', 'time limit for each API request (await_startup: for the whole wait)')
    .option('-n, --node <node>', 'accepted for rabbitmqctl compatibility and ignored: use --api')
    .option('-l, --longnames', 'accepted for rabbitmqctl compatibility and ignored')
    .showSuggestionAfterError()
    .configureOutput({
      writeErr,
      // One "Error: ..." line, like every other failure.
      outputError: (message, write) => write(`Error: ${message.replace(/^error: /, '').trimEnd()}\n`),
    })
    .exitOverride();
  registerUserCommands(program);
  registerVhostCommands(program);
  registerPermissionCommands(program);
  registerPolicyCommands(program);
  registerLimitCommands(program);
  registerQueueCommands(program);
  registerStreamCommands(program);
  registerExchangeCommands(program);
  registerConnectionCommands(program);
  registerDefinitionCommands(program);
  registerStatusCommands(program);
  // Subcommands report their own usage errors through the same channel.
  for (const command of program.commands) {
    command
      .configureOutput(program.configureOutput())
      .configureHelp({ showGlobalOptions: true })
      .exitOverride()
      .showSuggestionAfterError();
  }
  return program;
}

/** Runs one command line (arguments after the program name) and returns the exit code. */
export async function run(argv: string[], writeErr: (text: string) => void = (text) => process.stderr.write(text)): Promise<number> {
  const program = buildProgram(writeErr);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are 64.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof CtlError) {
      writeErr(error.stderr ?? `Error: ${error.message}\n`);
      return error.exitCode;
    }
    writeErr(`Error: ${(error as Error)?.message ?? String(error)}\n`);
    return ExitCode.SOFTWARE;
  }
}
