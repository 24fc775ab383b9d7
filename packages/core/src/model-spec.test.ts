import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from './errors.js';
import { loadModelSpec, modelSpecJsonSchema, parseModelSpec } from './model-spec.js';

const minimal = {
  inputs: [{ field: 'pixels', encoder: 'vector:mlp' }],
  output: { type: 'classification', field: 'label' },
};

const dir = mkdtempSync(path.join(tmpdir(), 'omnifuse-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseModelSpec', () => {
  it('fills in defaults', () => {
    const spec = parseModelSpec(minimal);
    expect(spec.training).toMatchObject({
      epochs: 10,
      batchSize: 32,
      optimizer: 'adam',
      trainer: 'trainer:supervised',
    });
    expect(spec.split).toMatchObject({ type: 'random' });
    expect(spec.inputs[0]).toMatchObject({ options: {}, optional: false });
    expect(spec.output.head).toEqual({ hidden: [], dropout: 0, activation: 'relu' });
    expect(spec.backend).toBe('auto');
  });

  it('names the path of the offending value', () => {
    const error = catchError(() =>
      parseModelSpec({ ...minimal, inputs: [{ field: 'x', encoder: 'no colon' }] }),
    );
    expect(error.code).toBe(ErrorCode.InvalidConfig);
    expect(error.path).toBe('inputs[0].encoder');
    expect(error.message).toContain('inputs[0].encoder');
  });

  it('rejects unknown keys, several inputs without fusion, and a field used twice', () => {
    expect(catchError(() => parseModelSpec({ ...minimal, epochs: 3 })).path).toBe('(root)');
    const twoInputs = {
      ...minimal,
      inputs: [
        { field: 'a', encoder: 'vector:mlp' },
        { field: 'a', encoder: 'vector:mlp' },
      ],
    };
    const issues = catchError(() => parseModelSpec(twoInputs)).details?.issues as { path: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(['fusion', 'inputs[1].field']);
  });

  it('checks split ratios add up to one', () => {
    const bad = { ...minimal, split: { type: 'random', ratios: { train: 0.8, test: 0.1 } } };
    expect(catchError(() => parseModelSpec(bad)).path).toBe('split.ratios');
  });
});

describe('loadModelSpec', () => {
  it('reads YAML and JSON', () => {
    const yamlFile = path.join(dir, 'model.yaml');
    writeFileSync(
      yamlFile,
      'plugins: ["@omnifuse/modality-text"]\ninputs:\n  - field: review\n    encoder: text:cnn\noutput:\n  type: classification\n  field: label\n',
    );
    expect(loadModelSpec(yamlFile).plugins).toEqual(['@omnifuse/modality-text']);
    const jsonFile = path.join(dir, 'model.json');
    writeFileSync(jsonFile, JSON.stringify(minimal));
    expect(loadModelSpec(jsonFile).inputs[0]!.encoder).toBe('vector:mlp');
  });

  it('reports a syntax error with the file', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "inputs": [');
    const error = catchError(() => loadModelSpec(file));
    expect(error.code).toBe(ErrorCode.InvalidConfig);
    expect(error.file).toBe(file);
  });
});

describe('modelSpecJsonSchema', () => {
  it('matches the committed schema file that editors use', () => {
    const committed = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '../schema/model-spec.schema.json'), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(modelSpecJsonSchema());
  });

  it('describes the required top-level keys', () => {
    const schema = modelSpecJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(expect.arrayContaining(['inputs', 'output']));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['plugins', 'inputs', 'fusion', 'output', 'split', 'training', 'backend']),
    );
  });
});

function catchError(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OmnifuseError');
}

describe('training options', () => {
  it('accepts optimiser options, schedules, clipping, class weights and smoothing, with defaults filled in', () => {
    const spec = parseModelSpec({
      ...minimal,
      training: {
        optimizer: 'adamw',
        optimizerOptions: { weightDecay: 0.1, beta2: 0.98 },
        lrSchedule: { type: 'one-cycle', maxLr: 0.01 },
        gradientClipNorm: 1,
        classWeights: { a: 2 },
        labelSmoothing: 0.1,
      },
    });
    expect(spec.training.lrSchedule).toEqual({
      type: 'one-cycle',
      maxLr: 0.01,
      pctStart: 0.3,
      divFactor: 25,
      finalDivFactor: 1e4,
    });
    expect(parseModelSpec(minimal).training).not.toHaveProperty('lrSchedule');
  });

  it('names the option an optimiser does not take, and options that need a classification output', () => {
    const wrong = (training: Record<string, unknown>, output = minimal.output) =>
      catchError(() => parseModelSpec({ ...minimal, output, training }));
    expect(wrong({ optimizer: 'sgd', optimizerOptions: { beta1: 0.9 } }).path).toBe(
      'training.optimizerOptions.beta1',
    );
    expect(wrong({ optimizer: 'sgd', optimizerOptions: { nesterov: true } }).path).toBe(
      'training.optimizerOptions.nesterov',
    );
    expect(wrong({ lrSchedule: { type: 'cosine', warmupSteps: 2, warmupEpochs: 1 } }).message).toMatch(
      /not both/,
    );
    expect(wrong({ labelSmoothing: 0.1 }, { type: 'regression', field: 'label' }).path).toBe(
      'training.labelSmoothing',
    );
    // Two different metrics for the best epoch and for early stopping: one must be given.
    expect(wrong({ monitor: 'val_accuracy', earlyStopping: { monitor: 'val_loss', patience: 3 } }).path).toBe(
      'training.earlyStopping.monitor',
    );
  });

  it('takes weight decay for every optimiser and one monitor for best epoch and early stopping', () => {
    for (const optimizer of ['sgd', 'adam', 'adamw', 'rmsprop'] as const) {
      const spec = parseModelSpec({
        ...minimal,
        training: { optimizer, optimizerOptions: { weightDecay: 1e-4 } },
      });
      expect(spec.training.optimizerOptions?.weightDecay).toBe(1e-4);
    }
    const spec = parseModelSpec({
      ...minimal,
      training: { monitor: 'val_accuracy', earlyStopping: { patience: 3 } },
    });
    expect(spec.training.monitor).toBe('val_accuracy');
    expect(spec.training.earlyStopping?.monitor).toBeUndefined();
  });
});
