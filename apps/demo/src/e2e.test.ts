import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OmnifuseServer } from '@omnifuse/serve';
import { greyPng, tinyPlugins, toneWav, trainTinyBundle } from '@omnifuse/test-utils/tiny-bundle';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer, type DemoExample } from './server.js';
import { launchChromium, skipBrowserTests } from './testing/browser.js';

// Drives the demo page in a real browser against the tiny bundle (photo: vision, caption: text,
// sound: audio; fusion:attention). CI installs chromium, so there a missing browser is a failure.
/** Set to a folder to save screenshots of the page there. */
const shotsDir = process.env.DEMO_SCREENSHOTS;

/** A /v1/predict answer: a prediction, or an error body. */
interface PredictBody {
  prediction: string;
  probabilities: Record<string, number>;
  fusionWeights?: Record<string, number>;
  missing: string[];
  error?: { message: string };
}

let work: string;
let server: OmnifuseServer;
let url: string;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let photoPath: string;
let soundPath: string;
let photo: Buffer;
let sound: Buffer;
let example: DemoExample;

async function api(inputs: Record<string, unknown>): Promise<{ status: number; body: PredictBody }> {
  const response = await fetch(`${url}/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
  return { status: response.status, body: (await response.json()) as PredictBody };
}

async function openPage(width = 1200): Promise<void> {
  page = await browser.newPage({ viewport: { width, height: 900 } });
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.locator('[data-testid="status"][data-state="ready"]').waitFor();
}

async function predict(): Promise<void> {
  await page.getByTestId('predict').click();
  await page.locator('[data-testid="status"]:is([data-state="done"], [data-state="error"])').waitFor();
}

async function uploadPhoto(): Promise<void> {
  await page.getByTestId('file-photo').setInputFiles(photoPath);
  await expect.poll(() => page.getByTestId('note-photo').textContent()).toContain('photo.png');
}

const percentOf = (text: string | null) => Number((text ?? '').replace('%', ''));

describe.skipIf(skipBrowserTests)(
  `the demo page in chromium${skipBrowserTests ? ' (skipped: apt-get install chromium)' : ''}`,
  () => {
    beforeAll(async () => {
      work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-demo-e2e-'));
      const bundleDir = await trainTinyBundle(work);
      photo = await greyPng(220, 16, 16);
      sound = toneWav(0.5, 880);
      photoPath = path.join(work, 'photo.png');
      soundPath = path.join(work, 'sound.wav');
      writeFileSync(photoPath, photo);
      writeFileSync(soundPath, sound);
      example = {
        id: 't0',
        label: 'night',
        inputs: {
          photo: `data:image/png;base64,${(await greyPng(30)).toString('base64')}`,
          sound: `data:audio/wav;base64,${toneWav(0.25, 220).toString('base64')}`,
        },
      };
      server = await createDemoServer({ bundleDir, registry: tinyPlugins, examples: async () => [example] });
      url = await server.listen({ port: 0, host: '127.0.0.1' });
      browser = await launchChromium();
      if (shotsDir) mkdirSync(shotsDir, { recursive: true });
    }, 120_000);
    afterEach(async () => {
      expect(pageErrors ?? []).toEqual([]);
      await page?.close();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('shows what POST /v1/predict answers for uploaded files and text', async () => {
      await openPage();
      await expect.poll(() => page.locator('#model-summary').textContent()).toContain('fusion:attention');
      await uploadPhoto();
      await page.getByTestId('file-sound').setInputFiles(soundPath);
      await expect.poll(() => page.getByTestId('note-sound').textContent()).toContain('sound.wav');
      await page.getByTestId('text-caption').fill('a bright sunny day');
      await predict();
      expect(await page.getByTestId('error').isHidden()).toBe(true);

      const expected = await api({
        photo: { base64: photo.toString('base64'), mediaType: 'image/png' },
        sound: { base64: sound.toString('base64'), mediaType: 'audio/wav' },
        caption: 'a bright sunny day',
      });
      expect(expected.status).toBe(200);
      expect(await page.getByTestId('prediction').textContent()).toBe(expected.body.prediction);

      const rows = page.locator('[data-testid="probabilities"] [data-label]');
      const labels = await rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-label')));
      expect(labels).toEqual(Object.keys(expected.body.probabilities).sort());
      const shown = (await rows.locator('.bar-value').allTextContents()).map(percentOf);
      expect(shown.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
      for (const [i, label] of labels.entries()) {
        expect(shown[i]).toBeCloseTo(expected.body.probabilities[label!]! * 100, 1);
      }

      const weights = expected.body.fusionWeights!;
      for (const field of ['photo', 'caption', 'sound']) {
        const row = page.locator(`[data-testid="fusion-weights"] [data-field="${field}"]`);
        expect(Number(await row.getAttribute('data-weight'))).toBeCloseTo(weights[field]!, 6);
        expect(percentOf(await row.locator('.bar-value').textContent())).toBeCloseTo(
          weights[field]! * 100,
          1,
        );
      }
      expect(await page.getByTestId('missing').textContent()).toMatch(/None/);
      if (shotsDir)
        await page.screenshot({ path: path.join(shotsDir, 'desktop-prediction.png'), fullPage: true });
    });

    it('predicts from a drawing on the canvas', async () => {
      await openPage();
      const box = (await page.getByTestId('canvas-photo').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
      await page.mouse.up();
      // Browser-side code as strings: this package is type-checked without the DOM library.
      const lit = await page.evaluate<number>(
        `document.querySelector('[data-testid="canvas-photo"]').getContext('2d').getImageData(140, 140, 1, 1).data[0]`,
      );
      expect(lit).toBe(255);
      await predict();
      expect(await page.getByTestId('error').isHidden()).toBe(true);
      expect(['day', 'night']).toContain(await page.getByTestId('prediction').textContent());
      expect(await page.getByTestId('missing').textContent()).toMatch(/caption, sound/);
    });

    it('records from the (fake) microphone and predicts with the recording', async () => {
      await openPage();
      await uploadPhoto();
      await page.getByTestId('record-sound').click();
      await page.waitForTimeout(1000);
      await page.getByTestId('stop-sound').click();
      await expect.poll(() => page.getByTestId('note-sound').textContent()).toMatch(/Recorded [0-9.]+ s/);
      const seconds = Number(
        /Recorded ([0-9.]+)/.exec((await page.getByTestId('note-sound').textContent())!)![1],
      );
      expect(seconds).toBeGreaterThan(0.5);
      await predict();
      expect(await page.getByTestId('error').isHidden()).toBe(true);
      expect(await page.getByTestId('missing').textContent()).not.toMatch(/sound/);
      expect(Number(await page.locator('[data-field="sound"]').getAttribute('data-weight'))).toBeGreaterThan(
        0,
      );
    });

    it('leaves an unticked optional input out, and it is listed as missing', async () => {
      await openPage(360);
      await uploadPhoto();
      await page.getByTestId('text-caption').fill('a bright sunny day');
      await page.getByTestId('include-caption').uncheck();
      await predict();
      expect(await page.getByTestId('error').isHidden()).toBe(true);
      expect(await page.getByTestId('missing').textContent()).toMatch(/caption, sound/);
      // 360 px wide: nothing overflows sideways.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      if (shotsDir) await page.screenshot({ path: path.join(shotsDir, 'mobile-360.png'), fullPage: true });
    });

    it('loads a test example into the inputs and predicts it', async () => {
      await openPage();
      await page.getByTestId('text-caption').fill('left over');
      await page.getByTestId('example-t0').click();
      await expect.poll(() => page.getByTestId('status').textContent()).toContain('true label: night');
      expect(await page.getByTestId('include-caption').isChecked()).toBe(false);
      await predict();
      expect(await page.getByTestId('error').isHidden()).toBe(true);
      const expected = await api({ photo: example.inputs.photo, sound: example.inputs.sound });
      expect(await page.getByTestId('prediction').textContent()).toBe(expected.body.prediction);
      expect(expected.body.missing).toEqual(['caption']);
      expect(await page.getByTestId('missing').textContent()).toMatch(/: caption$/);
    });

    it("shows the server's message when a required input is missing", async () => {
      await openPage();
      await page.getByTestId('text-caption').fill('a dark night');
      await predict();
      const expected = await api({ caption: 'a dark night' });
      expect(expected.status).toBe(400);
      const box = page.getByTestId('error');
      expect(await box.isVisible()).toBe(true);
      expect(await box.textContent()).toBe(expected.body.error!.message);
      expect(await page.locator('#result').isHidden()).toBe(true);
      if (shotsDir) await page.screenshot({ path: path.join(shotsDir, 'error.png'), fullPage: true });
    });
  },
);
