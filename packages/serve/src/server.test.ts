import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { greyPng, tinyPlugins, toneWav, trainTinyBundle } from '@omnifuse/test-utils/tiny-bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type OmnifuseServer } from './server.js';

let work: string;
let bundleDir: string;
let server: OmnifuseServer;
let bright: Buffer;

const b64 = (bytes: Buffer) => ({ base64: bytes.toString('base64'), mediaType: 'image/png' });

function multipartBody(parts: { name: string; value: string | Buffer; filename?: string; type?: string }[]) {
  const boundary = '----omnifuse-test-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.name}"; filename="${part.filename}"`
      : `form-data; name="${part.name}"`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${
      part.type ? `Content-Type: ${part.type}\r\n` : ''
    }\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-serve-'));
  bundleDir = await trainTinyBundle(work);
  bright = await greyPng(220);
  server = await createServer({
    bundleDir,
    registry: tinyPlugins,
    limits: { bodyBytes: 256 * 1024, imagePixels: 64 * 64, audioSeconds: 1, batchRecords: 4 },
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('POST /v1/predict', () => {
  it('predicts from JSON with every modality', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: {
        inputs: {
          photo: b64(bright),
          caption: 'a bright sunny day',
          sound: { base64: toneWav(0.25, 880).toString('base64') },
        },
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(['day', 'night']).toContain(body.prediction);
    expect(Object.keys(body.probabilities).sort()).toEqual(['day', 'night']);
    expect(Object.keys(body.fusionWeights).sort()).toEqual(['caption', 'photo', 'sound']);
    expect(body.missing).toEqual([]);
  });

  it('lists the optional fields left out, which the model sees as absent', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: b64(bright) } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().missing).toEqual(['caption', 'sound']);
    expect(response.json().fusionWeights).toMatchObject({ caption: 0, sound: 0 });
  });

  it('predicts from multipart: file parts are media, text parts are values', async () => {
    const { payload, headers } = multipartBody([
      { name: 'photo', value: bright, filename: 'p.png', type: 'image/png' },
      { name: 'caption', value: 'a bright sunny day' },
    ]);
    const response = await server.app.inject({ method: 'POST', url: '/v1/predict', payload, headers });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().missing).toEqual(['sound']);
  });

  it('refuses a missing required field and an unknown field with 400 naming the field', async () => {
    const missing = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { caption: 'hello' } },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'E_MISSING_FIELD', field: 'photo' });
    const unknown = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: b64(bright), colour: 'red' } },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.field).toBe('colour');
    expect(unknown.json().error.message).toContain('"colour"');
  });

  it('refuses a media field given as a path string (never read from the server disk)', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: '../../etc/passwd' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.field).toBe('photo');
  });

  it('answers malformed JSON and malformed multipart with 400 and a message', async () => {
    const json = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: '{"inputs": {',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.message).toMatch(/JSON/);
    const multipart = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: '--nope\r\nContent-Disposition: form-data; name="photo"\r\n\r\nabc',
      headers: { 'content-type': 'multipart/form-data; boundary=nope' },
    });
    expect(multipart.statusCode).toBe(400);
    expect(multipart.json().error.code).toBe('E_MULTIPART');
    expect(multipart.json().error.message).toMatch(/multipart/);
  });

  it('answers corrupt media with 422 naming the field', async () => {
    const png = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: { base64: Buffer.from('not a png at all').toString('base64') } } },
    });
    expect(png.statusCode).toBe(422);
    expect(png.json().error).toMatchObject({ field: 'photo', message: expect.stringContaining('photo') });
    const wav = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: {
        inputs: { photo: b64(bright), sound: { base64: Buffer.from('RIFF0000WAVE').toString('base64') } },
      },
    });
    expect(wav.statusCode).toBe(422);
    expect(wav.json().error.field).toBe('sound');
  });
});

describe('limits', () => {
  it('refuses a body over the limit with 413 (JSON and multipart)', async () => {
    const big = Buffer.alloc(300 * 1024, 1);
    const json = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: { base64: big.toString('base64') } } },
    });
    expect(json.statusCode).toBe(413);
    const { payload, headers } = multipartBody([{ name: 'photo', value: big, filename: 'p.png' }]);
    const multipart = await server.app.inject({ method: 'POST', url: '/v1/predict', payload, headers });
    expect(multipart.statusCode).toBe(413);
  });

  it('refuses an image over the pixel limit from its header', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: b64(await greyPng(100, 100, 100)) } },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.message).toContain('100×100 = 10000 pixels');
  });

  it('refuses audio over the duration limit with 422', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: { inputs: { photo: b64(bright), sound: { base64: toneWav(2).toString('base64') } } },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'E_AUDIO_TOO_LONG', field: 'sound' });
  });
});

describe('POST /v1/predict/batch', () => {
  it('predicts several records in order, and bounds their count', async () => {
    const records = [{ photo: b64(bright) }, { photo: b64(await greyPng(30)), caption: 'a dark night' }];
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/predict/batch',
      payload: { records },
    });
    expect(response.statusCode, response.body).toBe(200);
    const { predictions } = response.json();
    expect(predictions).toHaveLength(2);
    expect(predictions[0].missing).toEqual(['caption', 'sound']);
    expect(predictions[1].missing).toEqual(['sound']);
    const tooMany = await server.app.inject({
      method: 'POST',
      url: '/v1/predict/batch',
      payload: { records: Array.from({ length: 5 }, () => records[0]) },
    });
    expect(tooMany.statusCode).toBe(413);
    const bad = await server.app.inject({
      method: 'POST',
      url: '/v1/predict/batch',
      payload: { records: [records[0], { caption: 'x' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('records[1]');
  });
});

describe('GET endpoints', () => {
  it('/v1/model describes inputs, output, test metrics and versions', async () => {
    const body = (await server.app.inject({ url: '/v1/model' })).json();
    expect(body.inputs).toEqual([
      { field: 'photo', encoder: 'vision:cnn', modality: 'vision', type: 'image', optional: false },
      { field: 'caption', encoder: 'text:tfidf', modality: 'text', type: 'text', optional: true },
      { field: 'sound', encoder: 'audio:cnn1d', modality: 'audio', type: 'audio', optional: true },
    ]);
    expect(body.output).toEqual({ task: 'classification', field: 'label', labels: ['day', 'night'] });
    expect(body.metrics.test).toMatchObject({ size: 4, accuracy: expect.any(Number) });
    expect(body.versions['@omnifuse/core']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('/healthz answers ok', async () => {
    const response = await server.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/openapi.json is an OpenAPI 3.1 document with the paths and input schema', async () => {
    const response = await server.app.inject({ url: '/openapi.json' });
    const doc = JSON.parse(response.body);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/predict', '/v1/predict/batch', '/v1/model', '/healthz', '/metrics']),
    );
    expect(doc.components.schemas.Inputs.required).toEqual(['photo']);
    expect(Object.keys(doc.components.schemas.Inputs.properties)).toEqual(['photo', 'caption', 'sound']);
  });

  it('/metrics counts requests by route and status, with latency and gauges', async () => {
    const count = async () => {
      const text = (await server.app.inject({ url: '/metrics' })).body;
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('omnifuse_http_requests_total{route="/healthz",method="GET",status="200"}'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = await count();
    await server.app.inject({ url: '/healthz' });
    expect(await count()).toBe(before + 1);
    const text = (await server.app.inject({ url: '/metrics' })).body;
    expect(text).toContain('# TYPE omnifuse_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /omnifuse_http_request_duration_seconds_bucket\{route="\/healthz",method="GET",le="\+Inf"\} \d+/,
    );
    expect(text).toContain('omnifuse_queue_depth 0');
    expect(text).toMatch(/omnifuse_http_requests_in_flight \d+/);
  });
});

describe('concurrency, timeout and shutdown', () => {
  const slowServer = async (delayMs: number, limits: Record<string, number>) => {
    const state = { started: 0 };
    const slow = await createServer({
      bundleDir,
      registry: tinyPlugins,
      limits,
      onPredict: async () => {
        state.started++;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      },
    });
    return { slow, state };
  };
  const predictRequest = () => ({
    method: 'POST' as const,
    url: '/v1/predict',
    payload: { inputs: { photo: b64(bright) } },
  });

  it('answers 503 with Retry-After once every slot and queue place is taken', async () => {
    const { slow } = await slowServer(400, { concurrency: 1, queue: 1 });
    try {
      const responses = await Promise.all([1, 2, 3].map(() => slow.app.inject(predictRequest())));
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 200, 503]);
      const refused = responses.find((r) => r.statusCode === 503)!;
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json().error.code).toBe('E_BUSY');
    } finally {
      await slow.close();
    }
  });

  it('answers 504 when a prediction runs past the time limit', async () => {
    const { slow } = await slowServer(500, { timeoutMs: 50 });
    try {
      const response = await slow.app.inject(predictRequest());
      expect(response.statusCode).toBe(504);
      expect(response.json().error.code).toBe('E_TIMEOUT');
    } finally {
      await slow.close();
    }
  });

  it('close() waits for the request in flight, then frees the model', async () => {
    const { slow, state } = await slowServer(300, {});
    const pending = slow.app.inject(predictRequest());
    while (state.started === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await slow.close();
    const response = await pending;
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().prediction).toBeDefined();
  });

  it('listens on a real port and closes', async () => {
    const real = await createServer({ bundleDir, registry: tinyPlugins });
    const address = await real.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/healthz`);
    expect(response.status).toBe(200);
    await real.close();
    await expect(fetch(`${address}/healthz`)).rejects.toThrow();
  });
});
