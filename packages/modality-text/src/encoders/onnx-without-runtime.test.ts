import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithoutOnnxRuntime } from '@omnifuse/onnx/testing';

describeWithoutOnnxRuntime({
  packageName: '@omnifuse/modality-text',
  plugin: 'text:onnx',
  encoderOptions: (model, dir) => {
    // Only needs to exist: fit stops at the model, before reading it.
    writeFileSync(path.join(dir, 'tokenizer.json'), '{}');
    return { model, tokenizer: path.join(dir, 'tokenizer.json') };
  },
  cwd: path.resolve(import.meta.dirname, '../../../..'),
  nodeArgs: ['--conditions=@omnifuse/source', '--import', 'tsx'],
});
