import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'data-parallel-worker': 'src/data-parallel/worker.ts',
    'preprocess-worker': 'src/parallel-preprocess/preprocess-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // import.meta.url in the CommonJS build, to find the worker script.
  shims: true,
  target: 'node20',
  external: ['@omnifuse/core', '@omnifuse/runtime', 'tinypool', /^@tensorflow\//],
});
