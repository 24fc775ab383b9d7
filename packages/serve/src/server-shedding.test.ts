import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { greyPng, tinyPlugins, trainTinyBundle } from '@omnifuse/test-utils/tiny-bundle';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CreateServerOptions, createServer, type OmnifuseServer } from './server.js';

let work: string;
let bundleDir: string;
let photo: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-serve-shed-'));
  bundleDir = await trainTinyBundle(work);
  photo = (await greyPng(220)).toString('base64');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/**
 * A server whose predictions wait until `open()`; `fill()` sends `concurrency + queue` requests and
 * resolves once all of them hold a place (running or queued).
 */
async function heldServer(options: Partial<CreateServerOptions> = {}) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const server = await createServer({
    bundleDir,
    registry: tinyPlugins,
    limits: { concurrency: 1, queue: 1 },
    onPredict: () => gate,
    ...options,
  });
  const held: Promise<{ statusCode: number }>[] = [];
  const depth = async () => {
    const text = (await server.app.inject({ url: '/metrics' })).body;
    const gauge = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);
    return gauge('omnifuse_queue_depth') + gauge('omnifuse_predictions_in_progress');
  };
  return {
    server,
    open,
    held,
    depth,
    async fill() {
      const capacity = server.limits.concurrency + server.limits.queue;
      for (let i = 0; i < capacity; i++) held.push(server.app.inject(predictRequest()));
      await vi.waitFor(async () => expect(await depth()).toBe(capacity), { timeout: 10_000 });
    },
  };
}

const predictRequest = () => ({
  method: 'POST' as const,
  url: '/v1/predict',
  payload: { inputs: { photo: { base64: photo } } },
});

/** Counts the requests whose body fastify started to read (its preParsing hook runs just before). */
function watchParsing(server: OmnifuseServer) {
  const seen = { preParsing: 0 };
  server.app.addHook('preParsing', async (request) => {
    if (request.method === 'POST') seen.preParsing++;
  });
  return seen;
}

describe('admission before the body is read', () => {
  it('answers 503 E_BUSY with Retry-After without parsing the body once the queue is full', async () => {
    const { server, open, held, fill } = await heldServer();
    const seen = watchParsing(server);
    try {
      await fill();
      expect(seen.preParsing).toBe(2);
      // Invalid JSON: parsed, it would be a 400; admission answers before any parser runs.
      const refused = await server.app.inject({
        method: 'POST',
        url: '/v1/predict',
        payload: '{"inputs": {',
        headers: { 'content-type': 'application/json' },
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json().error.code).toBe('E_BUSY');
      const batch = await server.app.inject({
        method: 'POST',
        url: '/v1/predict/batch',
        payload: 'not json at all',
        headers: { 'content-type': 'application/json' },
      });
      expect(batch.statusCode).toBe(503);
      expect(seen.preParsing).toBe(2);

      open();
      expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([200, 200]);
      // With room again, the same invalid body reaches the parser and is a 400: the spy works.
      const parsed = await server.app.inject({
        method: 'POST',
        url: '/v1/predict',
        payload: '{"inputs": {',
        headers: { 'content-type': 'application/json' },
      });
      expect(parsed.statusCode).toBe(400);
      expect(seen.preParsing).toBe(3);
      expect(parsed.json().error.message).toMatch(/JSON/);
    } finally {
      open();
      await server.close();
    }
  });

  it('gives the place of a request refused after admission (bad body) back', async () => {
    const { server, open, depth } = await heldServer({ limits: { concurrency: 1, queue: 0 } });
    try {
      for (let i = 0; i < 5; i++) {
        const bad = await server.app.inject({
          method: 'POST',
          url: '/v1/predict',
          payload: '{"inputs": {',
          headers: { 'content-type': 'application/json' },
        });
        expect(bad.statusCode).toBe(400);
      }
      expect(await depth()).toBe(0);
      open();
      expect((await server.app.inject(predictRequest())).statusCode).toBe(200);
    } finally {
      open();
      await server.close();
    }
  });

  it("with shedConnection 'keep-alive', keeps the connection usable: the unread body is discarded, not parsed", async () => {
    const { server, open, fill } = await heldServer({ shedConnection: 'keep-alive' });
    try {
      await fill();
      const address = new URL(await server.listen({ port: 0, host: '127.0.0.1' }));
      const body = JSON.stringify({ inputs: { photo: { base64: 'A'.repeat(200_000) } } });
      const socket = net.connect(Number(address.port), '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk) => received.push(chunk));
      socket.write(
        `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      socket.write(body);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await vi.waitFor(() => expect(Buffer.concat(received).toString()).toContain('{"status":"ok"}'), {
        timeout: 10_000,
      });
      const text = Buffer.concat(received).toString();
      expect(text).toMatch(/^HTTP\/1\.1 503 /);
      expect(text).toMatch(/retry-after: 1/i);
      expect(text).not.toMatch(/connection: close/i);
      expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(2);
      socket.destroy();
    } finally {
      open();
      await server.close();
    }
  });

  it('by default answers 503 with Connection: close and ends the connection', async () => {
    const { server, open, fill } = await heldServer();
    try {
      await fill();
      const address = new URL(await server.listen({ port: 0, host: '127.0.0.1' }));
      const body = JSON.stringify({ inputs: { photo: { base64: photo } } });
      const socket = net.connect(Number(address.port), '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk) => received.push(chunk));
      const ended = new Promise((resolve) => socket.once('close', resolve));
      socket.write(
        `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await ended;
      const text = Buffer.concat(received).toString();
      expect(text).toMatch(/^HTTP\/1\.1 503 /);
      expect(text).toMatch(/connection: close/i);
    } finally {
      open();
      await server.close();
    }
  });

  it('keeps heap usage flat over 20,000 shed requests', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { server, open, fill } = await heldServer();
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed;
    };
    const shed = async (count: number) => {
      let refused = 0;
      for (let sent = 0; sent < count; sent += 100) {
        const batch = await Promise.all(
          Array.from({ length: 100 }, () => server.app.inject(predictRequest())),
        );
        refused += batch.filter((r) => r.statusCode === 503).length;
      }
      return refused;
    };
    try {
      await fill();
      await shed(1_000); // warm-up: compiled code, pools and metric series exist afterwards
      const before = await settle();
      expect(await shed(20_000)).toBe(20_000);
      const after = await settle();
      // Measured: 0.2–0.5 MB with other work on the machine (code and pools settling, not growing
      // with the requests); keeping one 100-byte object per shed request would add 2 MB.
      expect(after - before).toBeLessThan(1024 * 1024);
      const metrics = (await server.app.inject({ url: '/metrics' })).body;
      expect(metrics).toContain(
        'omnifuse_http_requests_total{route="/v1/predict",method="POST",status="503"} 21000',
      );
    } finally {
      open();
      await server.close();
    }
  });
});
