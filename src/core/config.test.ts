import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, parseConfigText } from '../config';
import { buildConfigSchema, loadConfigFile, parseConfig } from './config';
import { ConfigError } from './errors';

const schema = buildConfigSchema({
  spoofing: z.object({
    minQty: z.number().positive().default(10),
    maxLifetimeMs: z.number().int().positive().default(2000),
  }),
});

function problems(text: string) {
  try {
    parseConfig(text, schema, 'tw.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('fills every default from an empty file', () => {
    expect(parseConfig('', schema)).toEqual({
      engine: { tickIntervalMs: 100, flushHorizonMs: 3_600_000, latenessMs: 0 },
      owners: {},
      detectors: { spoofing: { enabled: true, minQty: 10, maxLifetimeMs: 2000 } },
    });
  });

  it('names the YAML path, line and expected type of a wrong type', () => {
    const issues = problems('detectors:\n  spoofing:\n    minQty: "lots"\n');
    expect(issues).toEqual([
      {
        path: 'detectors.spoofing.minQty',
        message: 'expected number, got a string "lots"',
        line: 3,
        column: 13,
      },
    ]);
  });

  it('names an unknown key with its path and the keys that are allowed', () => {
    const issues = problems('detectors:\n  spoofing:\n    minQtty: 5\n');
    expect(issues[0]).toMatchObject({ path: 'detectors.spoofing.minQtty', line: 3, column: 5 });
    expect(issues[0]?.message).toContain("unknown key 'minQtty'");
    expect(issues[0]?.message).toContain('minQty');
    expect(issues[0]?.message).toContain('enabled');
  });

  it('rejects an unknown detector and an unknown top-level section', () => {
    const issues = problems('detectors:\n  spoofin: {}\nengin: {}\n');
    expect(issues.map((i) => i.path).sort()).toEqual(['detectors.spoofin', 'engin']);
  });

  it('reports every problem of a file at once', () => {
    const issues = problems('engine:\n  tickIntervalMs: -5\nowners:\n  a: 3\n');
    expect(issues.map((i) => i.path).sort()).toEqual(['engine.tickIntervalMs', 'owners.a']);
    expect(issues.find((i) => i.path === 'engine.tickIntervalMs')?.message).toBe(
      'expected a number > 0, got -5',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = problems('engine:\n  tickIntervalMs: [1, 2\n');
    expect(issues[0]?.line).toBeGreaterThan(0);
  });

  it('says a missing file is missing, naming it', () => {
    expect(() => loadConfigFile('/nonexistent/tapewatch.yaml', schema)).toThrowError(
      /\/nonexistent\/tapewatch.yaml.*file not found/s,
    );
  });

  it('formats a readable message with file:line:column', () => {
    try {
      parseConfig('engine:\n  tickIntervalMs: fast\n', schema, 'tw.yaml');
    } catch (error) {
      expect((error as Error).message).toContain('tw.yaml:2:19  engine.tickIntervalMs: expected number');
      return;
    }
    throw new Error('expected a ConfigError');
  });

  it('loads the documented example file', () => {
    const config = loadConfig('examples/tapewatch.yaml');
    expect(config.owners['acct-7']).toBe('owner-A');
  });

  it('loads a file from disk through the tapewatch schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-config-'));
    const file = join(dir, 'tapewatch.yaml');
    writeFileSync(file, 'engine:\n  tickIntervalMs: 250\n');
    expect(loadConfig(file).engine.tickIntervalMs).toBe(250);
    expect(() => parseConfigText('nope: 1\n')).toThrow(ConfigError);
  });
});
