import { defineConfig } from 'tsup';

// A bin needs no CJS build: ESM only, with the shebang kept on cli.js.
export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: [/^@omnifuse\//, /^@tensorflow\//],
});
