import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, parseModelSpec } from '@omnifuse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands.js';
import { writeMediaDataset } from './media-dataset.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cliEntry = path.join(root, 'packages/cli/src/cli.ts');
const tsx = path.join(root, 'node_modules/tsx/dist/esm/index.mjs');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI from source in a child process, as a user would run the built bin. */
function omnifuse(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@omnifuse/source', '--import', tsx, cliEntry, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-cli-'));
  let state = 11;
  const random = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const notes = {
    up: ['prices rising fast today', 'a strong bullish rally'],
    down: ['prices falling hard now', 'a deep bearish slump'],
  };
  const rows = Array.from({ length: 40 }, (_, i) => {
    const label = i % 2 === 0 ? 'up' : 'down';
    const sign = label === 'up' ? 1 : -1;
    return {
      id: `r${i}`,
      a: +(sign + random() - 0.5).toFixed(3),
      b: +(random() * 2).toFixed(3),
      point: [sign * 2 + random(), random()],
      note: notes[label][i % 2],
      label,
    };
  });
  writeFileSync(path.join(dir, 'data.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  // A tiny model for train/predict/evaluate: one vector input, built into core.
  writeFileSync(
    path.join(dir, 'tiny.json'),
    JSON.stringify({
      data: 'data.jsonl',
      inputs: [{ field: 'point', encoder: 'vector:mlp', options: { hidden: [4] } }],
      output: { type: 'classification', field: 'label' },
      split: { type: 'stratified', by: 'label', ratios: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 1 },
      training: { epochs: 5, batchSize: 8, learningRate: 0.05 },
      backend: 'cpu',
    }),
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('omnifuse CLI', () => {
  it('init writes a config that validates, and says what it inferred', async () => {
    const result = await omnifuse(['init', 'data.jsonl', '--out', 'omnifuse.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const config = JSON.parse(readFileSync(path.join(dir, 'omnifuse.json'), 'utf8'));
    const spec = parseModelSpec(config);
    expect(spec.output).toMatchObject({ type: 'classification', field: 'label' });
    expect(spec.inputs.map((i) => [i.field, i.encoder])).toEqual([
      ['a', 'vector:mlp'],
      ['b', 'vector:mlp'],
      ['point', 'vector:mlp'],
      ['note', 'text:tfidf'],
    ]);
    expect(spec.fusion?.type).toBe('fusion:concat');
    expect(spec.split).toMatchObject({ type: 'stratified', by: 'label' });
    expect(spec.plugins).toEqual(['@omnifuse/fusion-concat', '@omnifuse/modality-text']);
    expect(existsSync(path.resolve(dir, config.$schema))).toBe(true);
    expect(result.stdout).toMatch(/note\s+text\s+→ text:tfidf: text/);
    expect(result.stdout).toContain('id');
    // Not over an existing config without --force.
    const again = await omnifuse(['init', 'data.jsonl', '--out', 'omnifuse.json'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
  });

  it('init sizes media inputs from the files and estimates an epoch; train warns of oversized inputs', async () => {
    const media = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-cli-media-'));
    try {
      await writeMediaDataset(media, { records: 18 });
      const result = await omnifuse(['init', 'data.jsonl'], media);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/digit\s+image\s+→ vision:cnn: 28×28 grey images \(18 sampled\)/);
      expect(result.stdout).toMatch(
        /clip\s+audio\s+→ audio:cnn2d: 8 kHz clips of [\d.]+ s median \(18 sampled\)/,
      );
      expect(result.stdout).toMatch(
        /^estimated [\d.]+ (s|min) per epoch on this machine \(\w+, \d+ batch(es)? of 8 timed; 12 training and 3 validation records\)/m,
      );
      const config = JSON.parse(readFileSync(path.join(media, 'omnifuse.json'), 'utf8'));
      expect(config.inputs[0].options.preprocess).toEqual({ size: { width: 28, height: 28 }, channels: 1 });
      expect(config.inputs[1].options.preprocess).toMatchObject({ sampleRate: 8000 });
      // 64×64 is over 4× the digits' pixels: train says so before it starts.
      config.inputs[0].options.preprocess.size = { width: 64, height: 64 };
      const big = { ...config, training: { ...config.training, epochs: 1 }, backend: 'cpu' };
      writeFileSync(path.join(media, 'big.json'), JSON.stringify(big));
      const trained = await omnifuse(['train', 'big.json', '--no-cache'], media);
      expect(trained.code, trained.stderr).toBe(0);
      expect(trained.stderr).toContain(
        'warning: input "digit" (vision:cnn) is 64×64×1 = 4,096 values per example, 5× the 784 the data needs',
      );
      expect(trained.stderr).not.toContain('warning: input "clip"');
    } finally {
      rmSync(media, { recursive: true, force: true });
    }
  });

  it('trains a tiny model, then predicts (JSONL, CSV) and evaluates with it', async () => {
    const trained = await omnifuse(['train', 'tiny.json', '--epochs', '2', '--out', 'model'], dir);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr.split('\n')[0]).toMatch(/^backend cpu /);
    // Not a terminal: progress as JSON lines.
    const events = trained.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l).event);
    expect(events).toEqual(['train-begin', 'epoch', 'epoch', 'train-end']);
    const summary = JSON.parse(trained.stdout);
    expect(summary).toMatchObject({ bundle: path.join(dir, 'model'), backend: 'cpu', epochs: 2 });
    expect(existsSync(path.join(dir, 'model', 'omnifuse.json'))).toBe(true);

    const jsonl = await omnifuse(['predict', 'model', '--data', 'data.jsonl', '--out', 'preds.jsonl'], dir);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const rows = readFileSync(path.join(dir, 'preds.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(40);
    expect(rows[0]).toMatchObject({ id: 'r0', prediction: expect.stringMatching(/^(up|down)$/) });
    expect(Object.keys(rows[0].probabilities).sort()).toEqual(['down', 'up']);

    const csv = await omnifuse(['predict', 'model', '--data', 'data.jsonl', '--out', 'preds.csv'], dir);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = readFileSync(path.join(dir, 'preds.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,prediction,probability_down,probability_up');
    expect(lines).toHaveLength(41);

    const evaluated = await omnifuse(['evaluate', 'model', '--data', 'data.jsonl', '--split', 'all'], dir);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const scored = JSON.parse(evaluated.stdout);
    expect(scored).toMatchObject({ split: 'all', records: 40 });
    expect(scored.metrics.loss).toBeGreaterThan(0);
    expect(scored.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(scored.report).toEqual({
      json: path.join(dir, 'model/report/report.json'),
      html: path.join(dir, 'model/report/report.html'),
    });
    expect(JSON.parse(readFileSync(scored.report.json, 'utf8'))).toMatchObject({
      reportVersion: 1,
      split: 'all',
    });

    const rendered = await omnifuse(['report', 'model/report/report.json', '--out', 'again.html'], dir);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'again.html'), 'utf8')).toBe(readFileSync(scored.report.html, 'utf8'));
    const notReport = await omnifuse(['report', 'tiny.json'], dir);
    expect(notReport.code).toBe(1);
    expect(notReport.stderr).toContain('not an omnifuse evaluation report');
  });

  it('resumes training from a --checkpoint-dir checkpoint', async () => {
    const progress = (stderr: string) =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
    const epochsRun = (stderr: string) =>
      progress(stderr)
        .filter((e) => e.event === 'epoch')
        .map((e) => e.epoch);
    const ckpts = path.join(dir, 'ckpts');
    const first = await omnifuse(
      ['train', 'tiny.json', '--out', 'resumable', '--epochs', '2', '--checkpoint-dir', 'ckpts'],
      dir,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(epochsRun(first.stderr)).toEqual([1, 2]);
    // A folder given by name outlives the run; the trainer keeps the newest two checkpoints.
    expect(readdirSync(ckpts).sort()).toEqual(['epoch-0001.ckpt', 'epoch-0002.ckpt']);
    const expected = JSON.parse(first.stdout);

    // Nothing left to train after epoch 2: no epoch runs, and the model is the checkpoint's.
    const resumeArgs = ['train', 'tiny.json', '--epochs', '2', '--checkpoint-dir', 'ckpts', '--resume'];
    const done = await omnifuse([...resumeArgs, '--out', 'resumed-done'], dir);
    expect(done.code, done.stderr).toBe(0);
    expect(epochsRun(done.stderr)).toEqual([]);
    expect(progress(done.stderr).at(-1)).toMatchObject({ event: 'train-end', epochs: 2 });
    expect(JSON.parse(done.stdout).metrics).toEqual(expected.metrics);

    // Without the epoch-2 checkpoint it starts at epoch 2 from epoch 1's state and ends the same.
    rmSync(path.join(ckpts, 'epoch-0002.ckpt'));
    const resumed = await omnifuse([...resumeArgs, '--out', 'resumed'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(epochsRun(resumed.stderr)).toEqual([2]);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ epochs: 2, metrics: expected.metrics });

    // The training options are part of a checkpoint's fingerprint: more epochs is another run.
    const longer = await omnifuse(
      ['train', 'tiny.json', '--out', 'longer', '--epochs', '4', '--checkpoint-dir', 'ckpts', '--resume'],
      dir,
    );
    expect(longer.code).toBe(1);
    expect(longer.stderr).toContain('the checkpoint was written by another configuration');
  });

  it('serve answers over HTTP and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@omnifuse/source',
        '--import',
        tsx,
        cliEntry,
        'serve',
        'model',
        '--port',
        String(20_000 + Math.floor(Math.random() * 20_000)),
      ],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' } },
    );
    let stderr = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /at (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('stopped');
  });

  it('info lists the backends and plugin packages', async () => {
    const result = await omnifuse(['info', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.versions.node).toBe(process.versions.node);
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual([...BACKEND_NAMES]);
    expect(info.backends.filter((b: { status: string }) => b.status === 'selected')).toHaveLength(1);
    const concat = info.plugins.find((p: { package: string }) => p.package === '@omnifuse/fusion-concat');
    expect(concat.plugins).toContain('fusion:concat (fusion)');
    const data = info.plugins.find((p: { package: string }) => p.package === '@omnifuse/data');
    expect(data.plugins).toContain('data:vector (encoder)');
  });

  it('prints help for the program and every command', async () => {
    const program = await omnifuse(['--help'], dir);
    expect(program.code).toBe(0);
    for (const command of COMMANDS) expect(program.stdout).toContain(command.name);
    const helps = await Promise.all(COMMANDS.map((c) => omnifuse([c.name, '--help'], dir)));
    helps.forEach((help, i) => {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: omnifuse ${COMMANDS[i]!.name}`);
    });
    const serveHelp = helps[COMMANDS.findIndex((c) => c.name === 'serve')]!.stdout;
    expect(serveHelp).toContain('POST /v1/predict');
    expect(serveHelp).toContain('--concurrency');
  });

  it('exits 1 naming the config path of a bad config, and 2 on usage errors', async () => {
    writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify({
        inputs: [{ field: 'point', encoder: 'vector' }],
        output: { type: 'classification', field: 'label' },
      }),
    );
    const bad = await omnifuse(['train', 'bad.json'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('E_CONFIG');
    expect(bad.stderr).toContain('inputs[0].encoder');
    expect(bad.stderr).toContain(path.join(dir, 'bad.json'));

    const unknown = await omnifuse(['frobnicate'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const missing = await omnifuse(['predict', 'model'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--data');
    const serve = await omnifuse(['serve', 'no-such-bundle'], dir);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain('not a model bundle');
    const badPort = await omnifuse(['serve', 'model', '--port', 'http'], dir);
    expect(badPort.code).toBe(2);
  });
});
