// Image preprocessing throughput: omnifuse's full pipeline (`preprocessField` over a dataset of
// JPEG files, with @omnifuse/modality-vision's image preprocessor inside an encoder) against bare
// sharp (`sharp(file).resize(224, 224).raw().toBuffer()`) on the same files at the same concurrency.
// The headline is the default uint8 output (normalisation happens in the model); the float32
// output (normalised in JavaScript, as the ONNX encoder uses it) is the second line.
//
//   node --import tsx bench/vision-preprocess.mjs [--n=1000] [--runs=5] [--concurrency=4]
//
// The images are made from real MNIST digits (../shared/data/mnist, required): each 256×256 RGB
// JPEG puts three different digits, upscaled, in its red, green and blue channels over a smooth
// colour gradient with a little grain, so the files have strokes, edges and texture (about 20 KB
// at quality 90) rather than flat colour.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? 'true']),
);
const n = Number(args.get('n') ?? 1000);
const runs = Number(args.get('runs') ?? 5);
const concurrency = Number(args.get('concurrency') ?? 4);
const SIZE = 256;

const { preprocessField } = await import('../packages/core/src/cache/index.ts');
const { createDataset } = await import('../packages/core/src/dataset/index.ts');
const { createImagePreprocessor, IMAGE_PREPROCESSOR_VERSION } = await import(
  '../packages/modality-vision/src/preprocess/index.ts'
);
const { idxImages, readIdxFile } = await import('../packages/modality-vision/src/idx/index.ts');

const mnistFile = path.resolve(here, '../../shared/data/mnist/train-images-idx3-ubyte.gz');
if (!existsSync(mnistFile)) {
  console.error(`needs the real MNIST files: ${mnistFile} is missing`);
  process.exit(1);
}

/** Writes `count` 256×256 RGB JPEGs built from MNIST digits; returns their file names. */
async function writeImages(root, count) {
  const digits = idxImages(await readIdxFile(mnistFile));
  const upscale = (digit) =>
    sharp(digit.data, { raw: { width: 28, height: 28, channels: 1 } })
      .resize(SIZE, SIZE)
      .raw()
      .toBuffer();
  const names = [];
  let seed = 12345;
  for (let i = 0; i < count; i++) {
    const planes = await Promise.all([0, 1, 2].map((k) => upscale(digits[(i * 3 + k) % digits.length])));
    const rgb = Buffer.alloc(SIZE * SIZE * 3);
    const [gx, gy] = [(i * 37) % 128, (i * 91) % 128];
    for (let p = 0; p < SIZE * SIZE; p++) {
      const x = p % SIZE;
      const y = (p - x) / SIZE;
      for (let k = 0; k < 3; k++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const gradient = k === 0 ? gx + x / 4 : k === 1 ? gy + y / 4 : 64 + (x + y) / 8;
        const grain = (seed >>> 28) - 8;
        rgb[p * 3 + k] = Math.max(0, Math.min(255, gradient * 0.6 + planes[k][p] * 0.7 + grain));
      }
    }
    const name = `${i}.jpg`;
    await sharp(rgb, { raw: { width: SIZE, height: SIZE, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path.join(root, name));
    names.push(name);
  }
  return names;
}

async function pool(count, width, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const work = mkdtempSync(path.join(tmpdir(), 'omnifuse-vision-bench-'));
try {
  const root = path.join(work, 'images');
  mkdirSync(root);
  let start = performance.now();
  const names = await writeImages(root, n);
  const kb = names.reduce((sum, name) => sum + statSync(path.join(root, name)).size, 0) / n / 1024;
  console.log(
    `${n} JPEGs of ${SIZE}×${SIZE} RGB from MNIST digits (mean ${kb.toFixed(1)} KB) written in ${((performance.now() - start) / 1000).toFixed(1)} s (${root})`,
  );
  console.log(
    `sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}; sharp.concurrency() = ${sharp.concurrency()}; ` +
      `UV_THREADPOOL_SIZE = ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}; concurrency ${concurrency}; ${runs} runs, median\n`,
  );

  const dataset = createDataset(
    names.map((image) => ({ image })),
    { root, fieldTypes: { image: 'image' } },
  );
  const imageOptions = { size: { width: 224, height: 224 }, resize: 'cover', normalize: 'imagenet' };
  const preprocessor = createImagePreprocessor(imageOptions); // output: 'uint8', the default
  const floatPreprocessor = createImagePreprocessor({ ...imageOptions, output: 'float32' });
  const encoderOf = (p) => ({
    specificationVersion: 'v1',
    id: 'image:bench',
    modality: 'image',
    version: IMAGE_PREPROCESSOR_VERSION,
    options: p.options,
    fit: () => null,
    preprocess: (raw, _state, context) => p.preprocess(raw, context),
    featureSpec: () => p.featureSpec(),
    build: () => {
      throw new Error('unused');
    },
  });
  const encoder = encoderOf(preprocessor);
  const floatEncoder = encoderOf(floatPreprocessor);
  const files = names.map((name) => path.join(root, name));
  // preprocessField's own cost per record (read, hash, check, stack), with nothing to decode.
  const constant = { dtype: 'uint8', shape: [224, 224, 3], data: new Uint8Array(224 * 224 * 3) };
  const constantEncoder = { ...encoder, preprocess: async () => constant };
  const context = { record: 0, field: 'image', readMedia: (ref) => readFile(ref.path) };

  const FULL = 'omnifuse preprocessField → uint8 224×224×3';
  const FULL_FLOAT = 'omnifuse preprocessField → float32 224×224×3 imagenet';
  const BARE = 'sharp(file).resize(224, 224).raw().toBuffer()';
  const ALONE = 'image preprocessor alone, uint8 (readFile + preprocess)';
  const variants = {
    [FULL]: async () => {
      const batch = await preprocessField(dataset, 'image', encoder, null, { concurrency });
      if (batch.stats.computed !== n) throw new Error('not every record was computed');
    },
    [FULL_FLOAT]: async () => {
      const batch = await preprocessField(dataset, 'image', floatEncoder, null, { concurrency });
      if (batch.stats.computed !== n) throw new Error('not every record was computed');
    },
    [ALONE]: () =>
      pool(n, concurrency, (i) => preprocessor.preprocess({ kind: 'file', path: files[i] }, context)),
    'preprocessField, constant uint8 feature (no decoding)': () =>
      preprocessField(dataset, 'image', constantEncoder, null, { concurrency }),
    // The least any float32 pipeline pays on top of sharp: widening its bytes to a new Float32Array.
    'sharp(file)…toBuffer() → new Float32Array(bytes)': () =>
      pool(
        n,
        concurrency,
        async (i) => new Float32Array(await sharp(files[i]).resize(224, 224).raw().toBuffer()),
      ),
    [BARE]: () => pool(n, concurrency, (i) => sharp(files[i]).resize(224, 224).raw().toBuffer()),
  };
  const seconds = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const cpu = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (const run of Object.values(variants)) await run(); // warm-up: page cache, JIT, libvips
  for (let r = 0; r < runs; r++) {
    // Alternate, so drift on a shared machine hits every variant alike.
    for (const [name, run] of Object.entries(variants)) {
      start = performance.now();
      const used = process.cpuUsage();
      await run();
      seconds[name].push((performance.now() - start) / 1000);
      const { user, system } = process.cpuUsage(used);
      cpu[name].push((user + system) / 1000 / n);
    }
  }
  const rates = Object.fromEntries(Object.entries(seconds).map(([name, s]) => [name, n / median(s)]));
  // CPU time of all the process's threads (JS and libvips): steadier than wall time when other jobs
  // share the machine, and what bounds throughput when every core is busy.
  console.table(
    Object.entries(rates).map(([name, rate]) => ({
      variant: name,
      'images/s': Math.round(rate),
      'ms/image': +(1000 / rate).toFixed(2),
      'CPU ms/image': +median(cpu[name]).toFixed(2),
      runs: seconds[name].map((s) => Math.round(n / s)).join(' '),
    })),
  );
  const ratio = (name) => (rates[name] / rates[BARE]).toFixed(2);
  const cpuRatio = (name) => (median(cpu[BARE]) / median(cpu[name])).toFixed(2);
  console.log(
    `\nomnifuse preprocessField (uint8) / bare sharp: ${ratio(FULL)}× (target ≥ 0.90×); by CPU time ${cpuRatio(FULL)}×`,
  );
  console.log(
    `omnifuse preprocessField (float32) / bare sharp: ${ratio(FULL_FLOAT)}×; by CPU time ${cpuRatio(FULL_FLOAT)}×`,
  );
  console.log(
    `image preprocessor alone (uint8) / bare sharp: ${ratio(ALONE)}×; by CPU time ${cpuRatio(ALONE)}×`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
