import { BACKEND_CHOICES } from '@omnifuse/core';
import type { CommandArgs, OptionDef } from './args.js';

/** One `omnifuse <command>`: what help shows; its code is imported only when it runs. */
export interface CommandDef extends CommandArgs {
  readonly name: string;
  readonly summary: string;
  /** Paragraphs after the usage line in `--help`. */
  readonly details: readonly string[];
  readonly load: () => Promise<CommandRun>;
}

export type CommandRun = (
  args: import('./args.js').ParsedArgs,
  io: import('./io.js').CliIo,
) => Promise<number | undefined>;

/** `--on-invalid`, shared by the commands that read records (see invalid-records.ts). */
const ON_INVALID_OPTION: OptionDef = {
  type: 'string',
  value: '<fail|skip>',
  choices: ['fail', 'skip'],
  description:
    "invalid records: fail after reporting every one, or skip them (default: the config's onInvalid, fail)",
};

/** `--workers`, shared by train and fine-tune. */
const WORKERS_OPTION: OptionDef = {
  type: 'string',
  value: '<n|auto>',
  description:
    'data-parallel gradient threads (wasm and cpu backends; auto = physical cores); overrides training.workers',
};

/** `--jobs`, shared by preprocess, train and fine-tune. */
const JOBS_OPTION: OptionDef = {
  type: 'string',
  value: '<n|auto>',
  description:
    'preprocessing threads (default auto: the physical cores, for image and audio fields of 2,000+ records)',
};

export const COMMANDS: readonly CommandDef[] = [
  {
    name: 'init',
    summary: 'infer a model config from a manifest',
    positionals: [{ name: 'manifest', description: 'JSONL, JSON, CSV or TSV manifest' }],
    options: {
      out: {
        type: 'string',
        short: 'o',
        value: '<file>',
        description: 'config to write (default omnifuse.json)',
      },
      label: {
        type: 'string',
        short: 'l',
        value: '<field>',
        description: 'the field to predict (default: guessed)',
      },
      ignore: {
        type: 'string',
        value: '<a,b>',
        description: 'fields to leave out of the model (provenance columns, label leaks)',
      },
      force: { type: 'boolean', short: 'f', description: 'overwrite an existing config' },
      'no-estimate': { type: 'boolean', description: 'do not time a few training batches' },
    },
    details: [
      "Reads the manifest, infers each field's type, and picks an encoder per input: image → vision:cnn, " +
        'audio → audio:cnn2d, text → text:tfidf (small data) or text:cnn, number/vector → vector:mlp, ' +
        'category → text:tfidf over character n-grams. A category label gives a classification, a number ' +
        'a regression, lists of labels a multi-label output. Several inputs are fused with fusion:concat. ' +
        'The split is stratified by the label (or taken from a "split" column). The config names the plugin ' +
        'packages it needs and its $schema, and prints what it inferred and why.',
      'Image and audio inputs are sized from the headers of up to 50 files per field: images keep their own ' +
        'size up to 128 px on the longer side (grey stays grey), larger ones are scaled down; audio gets 20 ' +
        "MFCCs at the clips' sample rate (at most 16 kHz) over the length 3 clips in 4 fit in, and a CNN " +
        'sized to that. Then a few training batches are timed on this machine and the time per epoch is ' +
        'estimated (--no-estimate skips it).',
    ],
    load: () => import('./init.js').then((m) => m.runInit),
  },
  {
    name: 'check',
    summary: 'check every record against a config and report every problem',
    positionals: [{ name: 'config', description: 'model config (JSON or YAML)' }],
    options: {
      out: {
        type: 'string',
        short: 'o',
        value: '<file>',
        description: 'write the JSON report there instead of stdout',
      },
    },
    details: [
      'Checks every record of every split in one pass, without fitting or decoding anything: required inputs ' +
        'present; media paths inside the data root (no objects, URLs, escaping symlinks, folders, FIFOs or ' +
        "devices), existing and non-empty; each encoder's header checks (format from magic bytes, image size, " +
        'audio duration against its limits); text under the text policy; labels present and known. A table of ' +
        'every finding (record id, split, field, severity, code, reason) and the count per code go to stderr, ' +
        'the JSON report to stdout. Exits 1 when any record is invalid; warnings (blank text treated as ' +
        'missing, over-long text truncated, …) alone exit 0. preprocess, train, evaluate and predict run the ' +
        'same check first.',
    ],
    load: () => import('./check.js').then((m) => m.runCheck),
  },
  {
    name: 'preprocess',
    summary: 'fit encoders on the training split and fill the feature cache',
    positionals: [{ name: 'config', description: 'model config (JSON or YAML)' }],
    options: {
      'on-invalid': ON_INVALID_OPTION,
      cache: {
        type: 'string',
        value: '<dir>',
        description: 'feature cache folder (default <data root>/.omnifuse-cache)',
      },
      jobs: JOBS_OPTION,
      shard: {
        type: 'string',
        value: '<i/N>',
        description: 'preprocess only shard i of N (0 ≤ i < N), e.g. 0/4 … 3/4 on four machines',
      },
    },
    details: [
      'Fits each encoder on the training split only (as train does), then preprocesses every split ' +
        'through the feature cache, so a later train reads features instead of recomputing them. ' +
        'Progress goes to stderr: a bar on a terminal, JSON lines otherwise; a summary JSON to stdout.',
      'With --shard i/N, N processes or machines fill one cache without coordinating: each still fits ' +
        'the encoders on the whole training split (deterministically, so all compute the same cache keys) ' +
        'and preprocesses the records whose id hashes to i (sha256 of the id, first 48 bits, mod N), so ' +
        'adding records moves no other record. i is 0-based, like JOB_COMPLETION_INDEX. Entries are ' +
        'written atomically and content-addressed; a final preprocess or train finds them all.',
    ],
    load: () => import('./preprocess.js').then((m) => m.runPreprocess),
  },
  {
    name: 'train',
    summary: 'train a model and save a bundle',
    positionals: [{ name: 'config', description: 'model config (JSON or YAML)' }],
    options: {
      'on-invalid': ON_INVALID_OPTION,
      out: {
        type: 'string',
        short: 'o',
        value: '<dir>',
        description: 'bundle folder (default <config dir>/model)',
      },
      epochs: { type: 'string', value: '<n>', integer: true, description: 'override training.epochs' },
      backend: {
        type: 'string',
        value: '<name>',
        choices: BACKEND_CHOICES,
        description: "override the config's backend",
      },
      resume: { type: 'boolean', description: 'resume from the last checkpoint' },
      workers: WORKERS_OPTION,
      jobs: JOBS_OPTION,
      'checkpoint-dir': {
        type: 'string',
        value: '<dir>',
        description: "checkpoint folder (default: the trainer's, <out>/checkpoints)",
      },
      'report-dir': { type: 'string', value: '<dir>', description: 'write an evaluation report there' },
      cache: { type: 'string', value: '<dir>', description: 'feature cache folder' },
      'no-cache': { type: 'boolean', description: 'do not read or fill the feature cache' },
    },
    details: [
      'Prints the backend in use first (and why better ones were not used), then progress on stderr: a bar ' +
        'on a terminal, JSON lines otherwise. When done, a JSON summary (bundle, backend, metrics) goes to stdout.',
      'A checkpoint is written after every epoch; --resume continues from the newest intact one (same ' +
        'config and data; otherwise an error). The default <out>/checkpoints is removed once training ' +
        'completes, a --checkpoint-dir is kept.',
    ],
    load: () => import('./train.js').then((m) => m.runTrain),
  },
  {
    name: 'fine-tune',
    summary: 'continue training a bundle on new data, some layers frozen',
    positionals: [{ name: 'bundle', description: 'model bundle folder to start from' }],
    options: {
      'on-invalid': ON_INVALID_OPTION,
      data: {
        type: 'string',
        short: 'd',
        value: '<manifest>',
        description: 'new labelled records (required)',
      },
      freeze: {
        type: 'string',
        value: '<a,b>',
        description: 'layers to freeze: input fields, fusion, head, or globs like image/*',
      },
      unfreeze: {
        type: 'string',
        value: '<a,b>',
        description: 'layers to train after all (wins over --freeze)',
      },
      lr: {
        type: 'string',
        value: '<p=rate,…>',
        description: 'learning rate per pattern, e.g. "image/*=1e-4,head=1e-3"',
      },
      'learning-rate': { type: 'string', value: '<rate>', description: 'override training.learningRate' },
      epochs: { type: 'string', value: '<n>', integer: true, description: 'override training.epochs' },
      workers: WORKERS_OPTION,
      jobs: JOBS_OPTION,
      out: {
        type: 'string',
        short: 'o',
        value: '<dir>',
        description: 'bundle folder to write (default <bundle>-fine-tuned)',
      },
      'report-dir': { type: 'string', value: '<dir>', description: 'write an evaluation report there' },
    },
    details: [
      "Loads the bundle, reads --data with the bundle's field types and splits it with the bundle's split " +
        "spec, preprocesses it with the bundle's fitted encoders and label map (a label the bundle does not " +
        'know is an error naming the record), freezes the layers --freeze selects except those --unfreeze ' +
        'selects, and trains the rest; weights that no --lr pattern selects train at training.learningRate. ' +
        'Frozen layers keep their weights exactly (frozen batch normalisation stays in inference mode).',
      'Layer names are <field>/…, fusion/… and head/…; a pattern that selects no layer exits 1 listing ' +
        'the ones there are. A JSON summary (bundle, backend, metrics) goes to stdout.',
    ],
    load: () => import('./fine-tune.js').then((m) => m.runFineTune),
  },
  {
    name: 'evaluate',
    summary: 'score a bundle on labelled data',
    positionals: [{ name: 'bundle', description: 'model bundle folder' }],
    options: {
      'on-invalid': ON_INVALID_OPTION,
      data: {
        type: 'string',
        short: 'd',
        value: '<manifest>',
        description: "labelled records (default: the config's data)",
      },
      split: {
        type: 'string',
        value: '<name>',
        choices: ['train', 'validation', 'test', 'all'],
        description: 'which split of the data, cut as in training (default test)',
      },
      'report-dir': {
        type: 'string',
        value: '<dir>',
        description: 'where report.json/report.html go (default <bundle>/report)',
      },
      'no-report': { type: 'boolean', description: 'print metrics only' },
    },
    details: [
      'Prints the metrics as JSON on stdout and writes report.json + report.html. Without --data the ' +
        'config\'s "data" is looked up next to the working directory, then next to the bundle. The split ' +
        "is recomputed with the bundle's split spec and seed, so --split test is the training run's test " +
        'split when --data is the training manifest.',
    ],
    load: () => import('./evaluate.js').then((m) => m.runEvaluate),
  },
  {
    name: 'predict',
    summary: 'predict on a manifest with a bundle',
    positionals: [{ name: 'bundle', description: 'model bundle folder' }],
    options: {
      'on-invalid': ON_INVALID_OPTION,
      data: {
        type: 'string',
        short: 'd',
        value: '<manifest>',
        description: 'records to predict on (required)',
      },
      out: { type: 'string', short: 'o', value: '<file>', description: 'predictions file (default: stdout)' },
      format: {
        type: 'string',
        value: '<fmt>',
        choices: ['jsonl', 'csv'],
        description: 'jsonl or csv (default: from --out, else jsonl)',
      },
    },
    details: [
      'One row per record: id, prediction, probabilities (classification, multi-label) and fusion weights ' +
        '(when the fusion method has them). CSV has one probability_<label> and fusion_weight_<field> column each.',
    ],
    load: () => import('./predict.js').then((m) => m.runPredict),
  },
  {
    name: 'report',
    summary: 'render report.json to HTML again',
    positionals: [{ name: 'report', description: 'a report.json written by evaluate or train' }],
    options: {
      out: {
        type: 'string',
        short: 'o',
        value: '<file>',
        description: 'HTML file (default: report.html beside it)',
      },
    },
    details: ['Renders with the same renderer evaluate and train use (renderReportHtml).'],
    load: () => import('./report.js').then((m) => m.runReport),
  },
  {
    name: 'search',
    summary: 'search hyperparameters: grid, random or successive halving',
    positionals: [{ name: 'config', description: 'base model config (JSON or YAML)' }],
    options: {
      space: {
        type: 'string',
        value: '<space.json>',
        description:
          'parameters to search: dotted config paths → values or { min, max, log, int } (required)',
      },
      strategy: {
        type: 'string',
        value: '<name>',
        choices: ['grid', 'random', 'halving'],
        description: 'how to pick configurations (default grid)',
      },
      trials: {
        type: 'string',
        value: '<n>',
        integer: true,
        description: 'random: configurations to try (default 10); halving: in the first rung (default 9)',
      },
      seed: { type: 'string', value: '<n>', integer: true, description: 'seed of the sampler (default 42)' },
      metric: {
        type: 'string',
        value: '<name>',
        description: 'metric to optimise (default val_accuracy; loss/error metrics are minimised)',
      },
      'min-epochs': {
        type: 'string',
        value: '<n>',
        integer: true,
        description: 'halving: epochs of the first rung (default 1)',
      },
      'max-epochs': {
        type: 'string',
        value: '<n>',
        integer: true,
        description: "halving: epochs of the last rung (default the config's training.epochs)",
      },
      eta: {
        type: 'string',
        value: '<n>',
        integer: true,
        description: 'halving: keep the best 1/eta per rung (default 3)',
      },
      out: {
        type: 'string',
        short: 'o',
        value: '<dir>',
        description: 'results folder (default <config dir>/search); a rerun resumes there',
      },
      backend: {
        type: 'string',
        value: '<name>',
        choices: BACKEND_CHOICES,
        description: "override the config's backend",
      },
      cache: { type: 'string', value: '<dir>', description: 'feature cache folder, shared by every trial' },
      'no-cache': { type: 'boolean', description: 'do not read or fill the feature cache' },
    },
    details: [
      'Trains one model per configuration and ranks them by the metric (val_<name> reads the validation ' +
        'split, test_<name> the test split). A space file looks like {"training.learningRate": {"min": 1e-4, ' +
        '"max": 1e-1, "log": true}, "inputs.0.options.hidden": [[16], [64]]}; a grid needs lists (or ranges ' +
        'with "steps"). Successive halving trains --trials sampled configurations for --min-epochs, keeps the ' +
        'best 1/eta, and trains those eta times longer (each rung from scratch) up to --max-epochs.',
      'Each trial goes to stderr as it finishes (text on a terminal, JSON lines otherwise); a trial whose ' +
        'config is invalid or whose training fails is recorded as failed and the search goes on. The folder ' +
        'gets search.jsonl (one line per finished trial, rewritten atomically), results.md, results.svg and ' +
        'best-config.json; rerunning with the same --out skips finished trials. The table goes to stdout. ' +
        'Exits 1 when no trial succeeded.',
    ],
    load: () => import('./search.js').then((m) => m.runSearch),
  },
  {
    name: 'serve',
    summary: 'serve a bundle over HTTP',
    positionals: [{ name: 'bundle', description: 'model bundle folder' }],
    options: {
      port: { type: 'string', value: '<n>', integer: true, description: 'port to listen on (default 8080)' },
      host: { type: 'string', value: '<host>', description: 'address to bind (default 127.0.0.1)' },
      concurrency: {
        type: 'string',
        value: '<n>',
        integer: true,
        description: 'predictions run at once (default 2)',
      },
      queue: {
        type: 'string',
        value: '<n>',
        integer: true,
        description: 'requests waiting for a slot before 503 (default 16)',
      },
    },
    details: [
      'Serves the bundle with @omnifuse/serve: POST /v1/predict (JSON or multipart, one part per field), ' +
        'POST /v1/predict/batch, GET /v1/model, /healthz, /metrics (Prometheus) and /openapi.json. Bodies ' +
        'over 10 MiB are 413, images over 4096×4096 pixels 413, audio over 30 s 422; a request that runs ' +
        'past 30 s is 504, and one that finds every slot and queue place taken is 503 with Retry-After.',
      'The address goes to stderr once listening. SIGTERM or Ctrl-C stops accepting, finishes the ' +
        'requests in flight, frees the model and exits 0.',
    ],
    load: () => import('./serve.js').then((m) => m.runServe),
  },
  {
    name: 'info',
    summary: 'versions, backends and installed plugin packages',
    positionals: [],
    options: {
      json: { type: 'boolean', description: 'print JSON instead of text' },
    },
    details: [
      'Shows the Node, omnifuse and tfjs versions; each backend, whether it is installed and, when it is ' +
        'not used, why (for webgpu also the adapter: device, software or hardware, key limits); and the @omnifuse plugin packages found from here with their plugin ids.',
    ],
    load: () => import('./info.js').then((m) => m.runInfo),
  },
];

export function findCommand(name: string): CommandDef | undefined {
  return COMMANDS.find((c) => c.name === name);
}
