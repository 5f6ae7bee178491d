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

/** A failure to report as one `Error: ...` line on stderr, then exit with `exitCode`. */
export class CtlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CtlError';
  }
}

export function usageError(message: string): CtlError {
  return new CtlError(message, ExitCode.USAGE);
}
