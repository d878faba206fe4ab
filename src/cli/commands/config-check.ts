/**
 * `tapewatch config check FILE`: validates a tapewatch.yaml and lists what it enables.
 *
 * @module
 */
import { loadConfig } from '../../config';
import { ConfigError } from '../../core/errors';
import type { CliIo } from '../io';

/** Returns the exit code: 0 when valid, 1 when not. */
export function runConfigCheck(file: string, json: boolean, io: CliIo): number {
  try {
    const config = loadConfig(file);
    const enabled = Object.entries(config.detectors as Record<string, { enabled: boolean }>)
      .filter(([, section]) => section.enabled)
      .map(([id]) => id);
    if (json) io.out(`${JSON.stringify({ ok: true, file, enabledDetectors: enabled, config })}\n`);
    else {
      io.out(
        `${file}: ok — ${enabled.length} detector${enabled.length === 1 ? '' : 's'} enabled${enabled.length > 0 ? ` (${enabled.join(', ')})` : ''}, ` +
          `${Object.keys(config.owners).length} account-owner mappings\n`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (json) io.out(`${JSON.stringify({ ok: false, file, issues: error.issues })}\n`);
    else io.err(`${error.message}\n`);
    return 1;
  }
}
