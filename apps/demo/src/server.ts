import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CreateServerOptions, createServer, HttpError, type OmnifuseServer } from '@omnifuse/serve';

/**
 * One labelled test-set record the page can load into its inputs. `inputs` maps a model field to
 * what the page puts in that input: a `data:` URI for media (image, audio), plain text otherwise.
 * Fields the example lacks are left out (an optional input is then unticked).
 */
export interface DemoExample {
  readonly id: string;
  /** The true label, shown after the example is loaded. */
  readonly label: string;
  readonly inputs: Readonly<Record<string, string>>;
}

export interface DemoServerOptions extends Omit<CreateServerOptions, 'onPredict'> {
  /** Folder holding the training run's `report.html` (served at `/report`). */
  readonly reportDir?: string;
  /** Test-set examples for the page's "Load a test example" buttons; called once, on first request. */
  readonly examples?: () => Promise<readonly DemoExample[]>;
}

/** The page's files: a fixed allow-list, so no request path ever reaches the file system. */
const PUBLIC_FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
} as const;

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** Files next to `report.html` it may link to (plots, data), by extension. */
const REPORT_ASSET_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};
// One plain file name: no separators, no leading dot, so `..` and hidden files never match.
const REPORT_ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/**
 * The omnifuse model server plus the demo's web page: `/` (the page), `/app.js`, `/style.css`,
 * `/report` (the training report) and `/demo/examples`; the `/v1/...` API is `createServer`'s, untouched.
 */
export async function createDemoServer(options: DemoServerOptions): Promise<OmnifuseServer> {
  const { reportDir, examples, ...serveOptions } = options;
  const server = await createServer(serveOptions);
  const { app } = server;

  for (const [route, { file, type }] of Object.entries(PUBLIC_FILES)) {
    const body = await readFile(path.join(PUBLIC_DIR, file));
    app.get(route, async (_request, reply) =>
      reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }

  const reportFile = async (name: string, type: string) => {
    if (!reportDir) {
      throw new HttpError(
        404,
        'E_NOT_FOUND',
        'no training report: the server was started without a report folder',
      );
    }
    try {
      return { body: await readFile(path.join(reportDir, name)), type };
    } catch {
      throw new HttpError(404, 'E_NOT_FOUND', `no training report file "${name}" in the report folder`);
    }
  };
  // `/report/` too, so relative links inside report.html (e.g. `confusion.png`) resolve under /report/.
  for (const route of ['/report', '/report/']) {
    app.get(route, async (_request, reply) => {
      const { body, type } = await reportFile('report.html', 'text/html; charset=utf-8');
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    });
  }
  app.get<{ Params: { file: string } }>('/report/:file', async (request, reply) => {
    const name = request.params.file;
    const type = REPORT_ASSET_TYPES[path.extname(name).toLowerCase()];
    if (!REPORT_ASSET_NAME.test(name) || !type) {
      throw new HttpError(404, 'E_NOT_FOUND', `no report file "${name}"`);
    }
    const file = await reportFile(name, type);
    return reply.type(file.type).header('x-content-type-options', 'nosniff').send(file.body);
  });

  let examplesLoaded: Promise<readonly DemoExample[]> | undefined;
  app.get('/demo/examples', async () => {
    if (!examples) throw new HttpError(404, 'E_NOT_FOUND', 'this demo server has no test examples');
    // Loaded once; a failure is not cached, so a later request tries again.
    examplesLoaded ??= examples().catch((error: unknown) => {
      examplesLoaded = undefined;
      throw error;
    });
    return { examples: await examplesLoaded };
  });

  return server;
}
