#!/usr/bin/env node
/**
 * Entry point of the `tapewatch` binary.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { processIo } from './io';
import { packageFile } from './paths';
import { runCli } from './run';

const { version } = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };

runCli(process.argv.slice(2), processIo(), version).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tapewatch: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
