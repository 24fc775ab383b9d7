import { serve } from '@omnifuse/serve';
import { type ParsedArgs, positional, stringOption } from './args.js';
import { activateBackend } from './backend-line.js';
import { bundleFiles, bundlePlugins } from './bundle.js';
import { type CliIo, line } from './io.js';

/** `omnifuse serve <bundle>`: an HTTP server over the bundle until SIGTERM/SIGINT. */
export async function runServe(args: ParsedArgs, io: CliIo): Promise<number> {
  const { dir, manifestFile } = bundleFiles(positional(args, 'bundle'), io);
  const { text } = await activateBackend('auto');
  line(io.stderr, text);
  const registry = await bundlePlugins(manifestFile, io.cwd);
  const limits: { concurrency?: number; queue?: number } = {};
  if (typeof args.options.concurrency === 'number') limits.concurrency = args.options.concurrency;
  if (typeof args.options.queue === 'number') limits.queue = args.options.queue;
  const running = await serve({
    bundleDir: dir,
    registry,
    baseDir: io.cwd,
    limits,
    port: typeof args.options.port === 'number' ? args.options.port : 8080,
    host: stringOption(args, 'host') ?? '127.0.0.1',
  });
  line(io.stderr, `serving ${dir} at ${running.address} (POST /v1/predict, GET /openapi.json); Ctrl-C stops`);
  await running.closed;
  line(io.stderr, 'stopped: requests in flight finished, model freed');
  return 0;
}
