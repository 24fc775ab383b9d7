import multipart from '@fastify/multipart';
import type { PluginList, Registry } from '@omnifuse/core';
import { type LoadedModel, loadModel } from '@omnifuse/trainer';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { createAdmission, type Ticket } from './admission.js';
import { errorResponse, HttpError } from './http-error.js';
import { type ServeLimits, type ServeLimitsInput, serveLimitsSchema } from './limits.js';
import { createMediaCheck, type MediaCheck } from './media-limits.js';
import { createServerMetrics } from './metrics.js';
import {
  jsonValues,
  type ModelInput,
  modelInputs,
  type PreparedRecord,
  prepareRecord,
  type RawValue,
} from './model-inputs.js';
import { openApiDocument } from './openapi.js';
import { installedVersions } from './versions.js';

export interface CreateServerOptions {
  readonly bundleDir: string;
  /** Plugins given in code; those the bundle names by package are loaded when installed. */
  readonly registry?: Registry | PluginList;
  /** Folder plugin packages and versions are resolved from; default: the working directory. */
  readonly baseDir?: string;
  readonly limits?: ServeLimitsInput;
  /** fastify's logger option; off by default. */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * Called with each batch of records just before the model runs, inside the concurrency slot;
   * for tests and tracing (a slow hook makes a slow model).
   */
  readonly onPredict?: (records: readonly Record<string, unknown>[]) => void | Promise<void>;
  /**
   * The connection of a request refused with 503 before its body was read: `close` (default)
   * answers with `Connection: close` and ends it, so the kernel drops the unread body and the
   * client's next try pays for a new connection; `keep-alive` reads and discards the body and keeps
   * the connection. Under 16× overload with 45 KB bodies, `close` kept goodput at capacity and
   * `keep-alive` did not (bench/README.md, serve-load --overload).
   */
  readonly shedConnection?: 'keep-alive' | 'close';
}

export interface OmnifuseServer {
  readonly app: FastifyInstance;
  readonly model: LoadedModel;
  readonly limits: ServeLimits;
  /** Starts listening; resolves to the address, e.g. `http://127.0.0.1:8080`. */
  listen(options?: { readonly port?: number; readonly host?: string }): Promise<string>;
  /** Stops accepting requests, lets those in flight finish, then frees the model. */
  close(): Promise<void>;
}

export interface ServedPrediction {
  readonly prediction: unknown;
  readonly probabilities?: Readonly<Record<string, number>>;
  readonly fusionWeights?: Readonly<Record<string, number>>;
  readonly missing: readonly string[];
}

/** Loads a bundle and builds the fastify app that serves it (not yet listening). */
export async function createServer(options: CreateServerOptions): Promise<OmnifuseServer> {
  const limits = serveLimitsSchema.parse(options.limits ?? {});
  const baseDir = options.baseDir ?? process.cwd();
  const model = await loadModel(options.bundleDir, { registry: options.registry, baseDir });
  const inputs = modelInputs(model);
  const manifest = model.bundle.manifest;
  const versions = installedVersions(baseDir);
  let checkMedia: MediaCheck;
  try {
    checkMedia = createMediaCheck(inputs, model.bundle.encoders);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const admission = createAdmission({ concurrency: limits.concurrency, queue: limits.queue });
  const metrics = createServerMetrics();
  let inFlight = 0;

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyBytes,
    // A request holds its queue place while its body arrives: a client that trickles one may not
    // hold it past the time limit (Node answers 408 and closes the connection).
    requestTimeout: limits.timeoutMs,
  });
  await app.register(multipart, {
    limits: {
      fileSize: limits.bodyBytes,
      fieldSize: limits.bodyBytes,
      parts: inputs.length + 4,
      fields: inputs.length + 4,
      files: inputs.length + 4,
    },
  });

  app.addHook('onRequest', async () => {
    inFlight++;
  });
  app.addHook('onResponse', async (request, reply) => {
    inFlight--;
    metrics.observe(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler((error, _request, reply) => {
    const { status, body, headers } = errorResponse(error);
    if (status >= 500 && status !== 503 && status !== 504) app.log.error(error);
    void reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ error: { code: 'E_NOT_FOUND', message: `no route ${request.method} ${request.url}` } });
  });

  // Admission runs first, before fastify reads or parses the body: an overloaded server answers 503
  // for the price of the headers, which keeps its goodput up (bench/serve-load.mjs --overload).
  const tickets = new WeakMap<FastifyRequest, { ticket: Ticket; started: number }>();
  const closeShed = options.shedConnection !== 'keep-alive';
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    let ticket: Ticket;
    try {
      ticket = admission.admit();
    } catch (error) {
      const { status, body, headers } = errorResponse(error);
      // With keep-alive Node reads and discards the unread body after the answer.
      if (closeShed) headers.connection = 'close';
      return reply.code(status).headers(headers).send(body);
    }
    tickets.set(request, { ticket, started: Date.now() });
    // 'close' comes once the answer is sent or the client is gone: a place held by a request that
    // never ran (bad body, client left) is given back; a running task frees its slot when it ends.
    reply.raw.once('close', () => ticket.release());
  };
  const admitted = (request: FastifyRequest) => {
    const entry = tickets.get(request);
    if (!entry) throw new Error('the request was not admitted');
    return entry;
  };

  const predict = (
    request: FastifyRequest,
    prepared: readonly PreparedRecord[],
  ): Promise<ServedPrediction[]> => {
    const { ticket, started } = admitted(request);
    return ticket.run(async () => {
      for (const [record, item] of prepared.entries()) await checkMedia(item.media, limits, record);
      const records = prepared.map((item) => item.record);
      await options.onPredict?.(records);
      const predictions = await model.predict(records);
      return predictions.map((p, i) => ({
        prediction: p.prediction,
        ...(p.probabilities ? { probabilities: p.probabilities } : {}),
        ...(p.fusionWeights ? { fusionWeights: p.fusionWeights } : {}),
        missing: prepared[i]!.missing,
      }));
    }, started + limits.timeoutMs);
  };

  app.post('/v1/predict', { onRequest: admit }, async (request) => {
    const values = request.isMultipart()
      ? await multipartValues(request, inputs, limits.bodyBytes)
      : jsonValues(bodyField(request.body, 'inputs'), '"inputs"');
    const [prediction] = await predict(request, [prepareRecord(inputs, values)]);
    return prediction;
  });

  app.post('/v1/predict/batch', { onRequest: admit }, async (request) => {
    const records = bodyField(request.body, 'records');
    if (!Array.isArray(records) || records.length === 0) {
      throw new HttpError(400, 'E_REQUEST', '"records" must be a non-empty list of inputs objects');
    }
    if (records.length > limits.batchRecords) {
      throw new HttpError(
        413,
        'E_BATCH_TOO_LARGE',
        `a batch holds at most ${limits.batchRecords} records; got ${records.length}`,
      );
    }
    const prepared = records.map((record, i) => {
      try {
        return prepareRecord(inputs, jsonValues(record, `records[${i}]`));
      } catch (error) {
        if (error instanceof HttpError) {
          throw new HttpError(error.statusCode, error.code, `records[${i}]: ${error.message}`, error.field);
        }
        throw error;
      }
    });
    return { predictions: await predict(request, prepared) };
  });

  const modelInfo = {
    inputs: inputs.map(({ field, encoder, modality, type, optional }) => ({
      field,
      encoder,
      modality,
      type,
      optional,
    })),
    output: { task: model.task.type, field: model.task.field, labels: model.task.labels },
    fusion: model.spec.fusion?.type ?? null,
    metrics: { test: manifest.metrics?.test ?? null },
    versions: { ...versions, tfjsAtTraining: manifest.tfjsVersion, bundleFormat: manifest.formatVersion },
    plugins: manifest.plugins.map((p) => ({ id: p.id, package: p.packageName, version: p.packageVersion })),
    createdAt: manifest.createdAt,
  };
  app.get('/v1/model', async () => modelInfo);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(metrics.render({ queueDepth: admission.queued, inFlight, activePredictions: admission.active })),
  );
  const openapi = openApiDocument({
    inputs,
    task: model.task.type,
    labels: model.task.labels,
    version: versions['@omnifuse/serve'] ?? '0.0.0',
  });
  app.get('/openapi.json', async () => openapi);

  app.addHook('onClose', async () => {
    // fastify has stopped accepting; wait for predictions still running before freeing weights.
    await admission.idle();
    model.dispose();
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    model,
    limits,
    async listen({ port = 8080, host = '127.0.0.1' } = {}) {
      return app.listen({ port, host });
    },
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}

function bodyField(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'E_REQUEST', `the body must be a JSON object with "${name}"`);
  }
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined) throw new HttpError(400, 'E_REQUEST', `the body has no "${name}"`);
  return value;
}

/** One part per field: file parts are media bytes, text parts are values. */
async function multipartValues(
  request: FastifyRequest,
  inputs: readonly ModelInput[],
  maxBytes: number,
): Promise<Map<string, RawValue>> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(413, 'E_BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${maxBytes}`);
  }
  const values = new Map<string, RawValue>();
  let total = 0;
  try {
    for await (const part of request.parts()) {
      if (values.has(part.fieldname)) {
        throw new HttpError(
          400,
          'E_REQUEST',
          `field "${part.fieldname}" is sent more than once`,
          part.fieldname,
        );
      }
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        total += bytes.length;
        values.set(part.fieldname, { kind: 'file', bytes, mediaType: part.mimetype });
      } else {
        const text = typeof part.value === 'string' ? part.value : String(part.value);
        total += Buffer.byteLength(text);
        values.set(part.fieldname, { kind: 'value', value: text });
      }
      if (total > maxBytes) {
        throw new HttpError(
          413,
          'E_BODY_TOO_LARGE',
          `the multipart body is over the limit of ${maxBytes} bytes`,
        );
      }
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const status = (error as { statusCode?: number }).statusCode;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 413)
      throw new HttpError(413, 'E_BODY_TOO_LARGE', `the body is over the limit: ${message}`);
    throw new HttpError(400, 'E_MULTIPART', `malformed multipart body: ${message}`);
  }
  if (values.size === 0 && inputs.length > 0) {
    throw new HttpError(400, 'E_MULTIPART', 'the multipart body has no parts: send one part per input field');
  }
  return values;
}
