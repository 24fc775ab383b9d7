import path from 'node:path';
import { describeWithoutOnnxRuntime } from '@omnifuse/onnx/testing';

describeWithoutOnnxRuntime({
  packageName: '@omnifuse/modality-audio',
  plugin: 'audio:onnx',
  encoderOptions: (model) => ({ model }),
  cwd: path.resolve(import.meta.dirname, '../../../..'),
  nodeArgs: ['--conditions=@omnifuse/source', '--import', 'tsx'],
});
