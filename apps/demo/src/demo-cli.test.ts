import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests } from './testing/browser.js';

// The demo as a user runs it: `npm run demo` (here its command, with a small data set and port 0),
// then the page in chromium with a generated test example's image and audio and a typed hint.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = path.join(ROOT, 'apps/demo/src/main.ts');
const NODE_ARGS = ['--conditions=@omnifuse/source', '--import', 'tsx', MAIN];

describe('the demo command', () => {
  it('prints its flags with --help and refuses a bad number naming the flag', () => {
    const help = spawnSync(process.execPath, [...NODE_ARGS, '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--data <dir>');
    expect(help.stdout).toContain('--no-serve');
    const bad = spawnSync(process.execPath, [...NODE_ARGS, '--epochs', 'many'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--epochs must be a whole number');
  }, 60_000);
});

interface PredictBody {
  prediction: string;
  probabilities: Record<string, number>;
  fusionWeights: Record<string, number>;
  missing: string[];
}

describe.skipIf(skipBrowserTests)('npm run demo, then the page in chromium', () => {
  let out: string;
  let demo: ChildProcess;
  let url: string;
  let stderr = '';
  let browser: Browser;

  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-demo-cli-'));
    demo = spawn(
      process.execPath,
      [
        ...NODE_ARGS,
        '--out',
        out,
        '--train',
        '80',
        '--validation',
        '20',
        '--test',
        '30',
        '--epochs',
        '2',
        '--port',
        '0',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    url = await new Promise<string>((resolve, reject) => {
      demo.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /the demo is at (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      demo.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${stderr}`)));
    });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  });

  it('printed the data, training and evaluation steps', () => {
    expect(stderr).toMatch(/building 130 examples/);
    expect(stderr).toMatch(/"event":"epoch","epoch":2/);
    expect(stderr).toMatch(/test accuracy [0-9.]+% on 30 examples/);
    expect(stderr).toMatch(/without image: [0-9.]+%/);
    expect(stderr).toMatch(/mean fusion weights: image [0-9.]+%, audio [0-9.]+%, hint [0-9.]+%/);
  });

  it('predicts a test example from uploaded files and a typed hint, as the API does', async () => {
    const manifest = readFileSync(path.join(out, 'data/manifest.jsonl'), 'utf8').trim().split('\n');
    const record = manifest.map((line) => JSON.parse(line)).find((r) => r.split === 'test');
    const imagePath = path.join(out, 'data', record.image);
    const audioPath = path.join(out, 'data', record.audio);
    const hint = `looks like a ${record.label}`;

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.locator('[data-testid="status"][data-state="ready"]').waitFor();
    await page.getByTestId('file-image').setInputFiles(imagePath);
    await page.getByTestId('file-audio').setInputFiles(audioPath);
    await page.getByTestId('text-hint').fill(hint);
    await page.getByTestId('predict').click();
    await page.locator('[data-testid="status"]:is([data-state="done"], [data-state="error"])').waitFor();
    expect(await page.getByTestId('error').isHidden()).toBe(true);

    const response = await fetch(`${url}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: {
          image: { base64: readFileSync(imagePath).toString('base64'), mediaType: 'image/png' },
          audio: { base64: readFileSync(audioPath).toString('base64'), mediaType: 'audio/wav' },
          hint,
        },
      }),
    });
    const expected = (await response.json()) as PredictBody;
    expect(response.status).toBe(200);
    expect(await page.getByTestId('prediction').textContent()).toBe(expected.prediction);
    expect(Object.keys(expected.probabilities)).toHaveLength(10);
    for (const field of ['image', 'audio', 'hint']) {
      const row = page.locator(`[data-testid="fusion-weights"] [data-field="${field}"]`);
      expect(Number(await row.getAttribute('data-weight'))).toBeCloseTo(expected.fusionWeights[field]!, 6);
    }
    expect(expected.missing).toEqual([]);

    // The training report the demo wrote, one click away.
    const [report] = await Promise.all([
      page.waitForEvent('popup').catch(() => null),
      page.getByText('Training report').click(),
    ]);
    const reportPage = report ?? page;
    await reportPage.waitForLoadState();
    expect(await reportPage.locator('svg').count()).toBeGreaterThan(2);
    expect(await reportPage.content()).toContain('Confusion');
    expect(errors).toEqual([]);
  }, 60_000);

  it('stops cleanly on SIGINT', async () => {
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);
});
