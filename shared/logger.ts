/** Structured logging (pino) shared by the server and the workers. Logs go to stderr so CLIs keep stdout clean. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** A root logger named after the process role, e.g. `createLogger('server')`. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination(2));
}
