/**
 * Where CLI commands write. Commands take an {@link CliIo} instead of touching `process`,
 * so they run the same in a terminal and in tests.
 *
 * @module
 */

/** Output streams of a command. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
}

/** The process's own stdout and stderr. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
  };
}

/** Thrown by commands for bad usage; the runner prints the message and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
