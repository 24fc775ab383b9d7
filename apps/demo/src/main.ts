// The omnifuse demo: builds a small trimodal digits set, trains a fusion model, evaluates it, and
// serves a web page to try it. Run from the repository root: `npm run demo` (flags after `--`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OmnifuseError } from '@omnifuse/core';
import { testExamples } from './examples.js';
import { DEMO_DEFAULTS, demoPlugins, runPipeline } from './pipeline.js';
import { createDemoServer } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const HELP = `omnifuse demo: data → training → evaluation → a web page to try the model

  npm run demo [-- flags]

  --data <dir>        use an AV-MNIST-style folder with manifest.jsonl (image, audio, label, split)
                      instead of the generated set (build one from ../shared/data with
                      examples/av-mnist/build-dataset.mjs)
  --inputs <a,b>      input fields of --data (default: those named image, audio, hint, text)
  --out <dir>         working folder (default apps/demo/out): data/, model/, report/, run.json
  --train <n>         generated training examples (default ${DEMO_DEFAULTS.train})
  --validation <n>    generated validation examples (default ${DEMO_DEFAULTS.validation})
  --test <n>          generated test examples (default ${DEMO_DEFAULTS.test})
  --epochs <n>        training epochs (default ${DEMO_DEFAULTS.epochs})
  --seed <n>          data and training seed (default ${DEMO_DEFAULTS.seed})
  --baselines         also train each input alone and print its test accuracy
  --fresh             rebuild the data and retrain even if --out holds the same run
  --no-serve          stop after evaluation
  --port <n>          web page port (default 8080; 0 picks a free one)
  --host <h>          address to listen on (default 127.0.0.1)
  -h, --help          this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      inputs: { type: 'string' },
      out: { type: 'string' },
      train: { type: 'string' },
      validation: { type: 'string' },
      test: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      baselines: { type: 'boolean', default: false },
      'no-serve': { type: 'boolean', default: false },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const result = await runPipeline({
    out: values.out ?? path.resolve(here, '../out'),
    data: values.data,
    inputs: values.inputs?.split(',').map((field) => field.trim()),
    train: integer(values.train, '--train'),
    validation: integer(values.validation, '--validation'),
    test: integer(values.test, '--test'),
    epochs: integer(values.epochs, '--epochs'),
    seed: integer(values.seed, '--seed'),
    fresh: values.fresh,
    baselines: values.baselines,
    log,
  });
  const { evaluation } = result;
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  log(`\ntest accuracy ${percent(evaluation.accuracy)} on ${evaluation.testSize} examples`);
  for (const [field, accuracy] of Object.entries(evaluation.without)) {
    log(`  without ${field}: ${percent(accuracy)}`);
  }
  for (const [field, accuracy] of Object.entries(evaluation.baselines ?? {})) {
    log(`  ${field} alone (no fusion): ${percent(accuracy)}`);
  }
  if (evaluation.meanFusionWeights) {
    const weights = Object.entries(evaluation.meanFusionWeights).map(([f, w]) => `${f} ${percent(w)}`);
    log(`  mean fusion weights: ${weights.join(', ')}`);
  }
  log(`model bundle: ${result.bundleDir}\nreport: ${path.join(result.reportDir, 'report.html')}`);
  if (values['no-serve']) return;

  const server = await createDemoServer({
    bundleDir: result.bundleDir,
    reportDir: result.reportDir,
    registry: demoPlugins,
    examples: () => testExamples(result.manifestPath, result.inputFields),
  });
  const url = await server.listen({ port: integer(values.port, '--port') ?? 8080, host: values.host });
  log(`\nthe demo is at ${url} (Ctrl-C stops it)`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new OmnifuseError({
      code: 'E_CONFIG',
      message: `${flag} must be a whole number ≥ 0; got "${value}"`,
    });
  }
  return n;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
