/**
 * Locating files that ship with the package (sample data, the viewer build), whether the
 * CLI runs from source or from dist/.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The directory holding tapewatch's own package.json. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === 'tapewatch') {
        cachedRoot = dir;
        return dir;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the tapewatch package root');
    dir = parent;
  }
}

/** Path of a file shipped with the package, relative to its root. */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
