/**
 * Structured JSON logs (pino) for long-running commands. Tokens never appear in logs:
 * callers log principal names, never credentials.
 *
 * @module
 */
import { type Logger, pino } from 'pino';

/** Log levels, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A JSON logger writing to stderr at `level` (default from TAPEWATCH_LOG_LEVEL, else info). */
export function createLogger(level?: LogLevel): Logger {
  const fromEnv = process.env.TAPEWATCH_LOG_LEVEL as LogLevel | undefined;
  return pino({ level: level ?? fromEnv ?? 'info', base: { service: 'tapewatch' } }, pino.destination(2));
}

/** Adapts a pino logger to the `log(level, message, fields)` callbacks the adapters take. */
export function logFunction(
  logger: Logger,
): (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void {
  return (level, message, fields) => logger[level](fields ?? {}, message);
}
