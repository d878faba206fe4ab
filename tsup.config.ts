import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      testing: 'test/stubs.ts',
      grpc: 'src/grpc/index.ts',
      rules: 'src/rules/index.ts',
      simulator: 'src/simulator/index.ts',
      cases: 'src/cases/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // No `clean` here: tsup runs the configs in parallel, and one config cleaning dist/ would
    // delete what another already wrote (the build script empties dist/ first instead).
    target: 'node20',
    splitting: false,
  },
  {
    // ESM only: the worker thread's entry is found next to the bundle through import.meta.url.
    entry: { scale: 'src/scale/index.ts', 'partition-worker': 'src/scale/partition-worker.ts' },
    format: ['esm'],
    dts: { entry: { scale: 'src/scale/index.ts' } },
    sourcemap: true,
    target: 'node20',
    splitting: false,
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    splitting: false,
  },
]);
