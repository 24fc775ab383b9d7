import path from 'node:path';
import { describeReadmeExample } from '@omnifuse/test-utils/readme';

describeReadmeExample({
  packageDir: path.resolve(import.meta.dirname, '..'),
  example: 'examples/modality-weights.mjs',
  timeout: 60_000,
});
