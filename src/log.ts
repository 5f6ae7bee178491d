import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino) on stdout; 'silent' turns them off. */
export function createLogger(level = 'info'): Logger {
  return pino({ name: 'warren', level });
}
