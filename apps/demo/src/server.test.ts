import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OmnifuseServer } from '@omnifuse/serve';
import { greyPng, tinyPlugins, toneWav, trainTinyBundle } from '@omnifuse/test-utils/tiny-bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer, type DemoExample } from './server.js';

let work: string;
let bundleDir: string;
let reportDir: string;
let server: OmnifuseServer;
let bare: OmnifuseServer;
let examplesCalls = 0;

const dataUri = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-demo-server-'));
  bundleDir = await trainTinyBundle(work);
  reportDir = path.join(work, 'report');
  mkdirSync(reportDir);
  const example: DemoExample = {
    id: 't0',
    label: 'day',
    inputs: { photo: dataUri('image/png', await greyPng(220)), caption: 'a bright sunny day' },
  };
  server = await createDemoServer({
    bundleDir,
    registry: tinyPlugins,
    reportDir,
    examples: async () => {
      examplesCalls++;
      return [example];
    },
  });
  bare = await createDemoServer({ bundleDir, registry: tinyPlugins });
});
afterAll(async () => {
  await server?.close();
  await bare?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the page', () => {
  it.each([
    ['/', 'text/html', '<script type="module" src="/app.js">'],
    ['/app.js', 'text/javascript', "fetchJson('/v1/model')"],
    ['/style.css', 'text/css', '--blue: #0072b2'],
  ])('serves %s as %s', async (url, type, excerpt) => {
    const response = await server.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(`${type}; charset=utf-8`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain(excerpt);
  });

  it.each([
    '/index.html',
    '/nope.js',
    '/public/app.js',
    '/..%2f..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/..%2fsrc%2fserver.ts',
    '/app.js/..%2f..%2fpackage.json',
    '/report/..%2f..%2fpackage.json',
    '/report/%2e%2e%2fbundle%2fmanifest.json',
    '/report/.hidden.png',
  ])('answers %s with a 404 JSON error, never a file outside the allow-list', async (url) => {
    const response = await server.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: expect.stringMatching(/NOT_FOUND/) } });
    expect(response.body).not.toContain('"workspaces"');
  });
});

describe('GET /report', () => {
  it('is 404 with a JSON error when there is no report', async () => {
    const noFolder = await bare.app.inject({ method: 'GET', url: '/report' });
    expect(noFolder.statusCode).toBe(404);
    expect(noFolder.json().error.message).toMatch(/without a report folder/);
    rmSync(path.join(reportDir, 'report.html'), { force: true });
    const noFile = await server.app.inject({ method: 'GET', url: '/report' });
    expect(noFile.statusCode).toBe(404);
    expect(noFile.json().error).toMatchObject({
      code: 'E_NOT_FOUND',
      message: expect.stringMatching(/report/),
    });
  });

  it('serves report.html, written after the server started, and the files beside it', async () => {
    writeFileSync(
      path.join(reportDir, 'report.html'),
      '<!doctype html><title>report</title><img src="cm.png">',
    );
    writeFileSync(path.join(reportDir, 'cm.png'), await greyPng(10));
    for (const url of ['/report', '/report/']) {
      const response = await server.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<title>report</title>');
    }
    const image = await server.app.inject({ method: 'GET', url: '/report/cm.png' });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    const unknownType = await server.app.inject({ method: 'GET', url: '/report/report.html.bak' });
    expect(unknownType.statusCode).toBe(404);
  });
});

describe('GET /demo/examples', () => {
  it('returns the examples, loading them once', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await server.app.inject({ method: 'GET', url: '/demo/examples' });
      expect(response.statusCode).toBe(200);
      const { examples } = response.json() as { examples: DemoExample[] };
      expect(examples).toHaveLength(1);
      expect(examples[0]).toMatchObject({
        id: 't0',
        label: 'day',
        inputs: { caption: 'a bright sunny day' },
      });
    }
    expect(examplesCalls).toBe(1);
  });

  it('is 404 when the server has no examples', async () => {
    const response = await bare.app.inject({ method: 'GET', url: '/demo/examples' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('E_NOT_FOUND');
  });
});

describe('the /v1 API through the demo server', () => {
  it('describes the model', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/v1/model' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      fusion: 'fusion:attention',
      inputs: [
        { field: 'photo', modality: 'vision', optional: false },
        { field: 'caption', modality: 'text', optional: true },
        { field: 'sound', modality: 'audio', optional: true },
      ],
      output: { labels: ['day', 'night'] },
    });
  });

  it('predicts from data: URIs, as the page sends them', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: {
        inputs: {
          photo: dataUri('image/png', await greyPng(220)),
          sound: dataUri('audio/wav', toneWav(0.25, 880)),
        },
      },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(['day', 'night']).toContain(body.prediction);
    expect(body.probabilities.day + body.probabilities.night).toBeCloseTo(1, 5);
    expect(Object.keys(body.fusionWeights).sort()).toEqual(['caption', 'photo', 'sound']);
    expect(body.missing).toEqual(['caption']);
  });

  it('keeps the API errors: a missing required field is a 400 naming it', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { caption: 'a dark night' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'E_MISSING_FIELD', field: 'photo' });
  });
});
