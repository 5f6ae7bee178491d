/**
 * Exit codes: the sysexits.h values rabbitmqctl uses, so scripts written for
 * rabbitmqctl can test warrenctl's exit status the same way.
 */
export const ExitCode = {
  OK: 0,
  /** Bad command line: unknown command or option, wrong number of arguments. */
  USAGE: 64,
  /** Bad input data: failed authentication, a vhost that does not exist, unreadable definitions. */
  DATAERR: 65,
  /** No such user. */
  NOUSER: 67,
  /** The broker cannot be reached, or (as in rabbitmqctl) an object it needs is missing. */
  UNAVAILABLE: 69,
  /** Internal error, or an answer from the API that warrenctl does not understand. */
  SOFTWARE: 70,
  /** The broker did not answer in time. */
  TEMPFAIL: 75,
  /** The API refused our credentials (HTTP 401/403). */
  NOPERM: 77,
  /** warrenctl's own config file is unreadable. */
  CONFIG: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure to report on stderr, then exit with `exitCode`: one `Error: ...` line, or
 * `stderr` verbatim when rabbitmqctl prints the failure some other way.
 */
export class CtlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly stderr?: string,
  ) {
    super(message);
    this.name = 'CtlError';
  }
}

/**
 * A refusal the broker explained, as rabbitmqctl prints one: "Error:" on a line of its
 * own, then the reason as the broker gave it ("Validation failed\n\n...\n").
 */
export function brokerRefusal(reason: string, exitCode: ExitCode = ExitCode.UNAVAILABLE): CtlError {
  return new CtlError(reason, exitCode, `Error:\n${reason}\n`);
}

/** rabbitmqctl's words for a command scoped to a vhost that does not exist (no "Error:"), exit 65. */
export function vhostDoesNotExist(vhost: string): CtlError {
  const message = `Virtual host '${vhost}' does not exist`;
  return new CtlError(message, ExitCode.DATAERR, `${message}\n`);
}

export function usageError(message: string): CtlError {
  return new CtlError(message, ExitCode.USAGE);
}
