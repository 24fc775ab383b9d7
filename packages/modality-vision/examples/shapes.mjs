// Runs as is (no data download): node packages/modality-vision/examples/shapes.mjs [workDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadModel, train } from '@omnifuse/trainer';
import sharp from 'sharp';

// 1. Image files and a manifest: circles, squares and triangles of random colour, size and place,
//    saved as PNG, JPEG and WebP (a manifest names files relative to its own folder).
const dir = path.resolve(process.argv[2] ?? 'examples/out/shapes');
mkdirSync(path.join(dir, 'images'), { recursive: true });
let seed = 11;
const random = () => {
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
};
const colour = () => `rgb(${[0, 1, 2].map(() => Math.floor(40 + 200 * random())).join(',')})`;
const shapes = {
  circle: (x, y, r, fill) => `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}"/>`,
  square: (x, y, r, fill) =>
    `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" fill="${fill}"/>`,
  triangle: (x, y, r, fill) =>
    `<polygon points="${x},${y - r} ${x - r},${y + r} ${x + r},${y + r}" fill="${fill}"/>`,
};
const lines = [];
for (let i = 0; i < 240; i++) {
  const label = Object.keys(shapes)[i % 3];
  const r = 14 + 14 * random();
  const [x, y] = [r + (96 - 2 * r) * random(), r + (96 - 2 * r) * random()];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="${colour()}"/>${shapes[label](x, y, r, colour())}</svg>`;
  const format = ['png', 'jpeg', 'webp'][i % 3];
  const file = `images/${i}.${format === 'jpeg' ? 'jpg' : format}`;
  await sharp(Buffer.from(svg)).toFormat(format).toFile(path.join(dir, file));
  lines.push(JSON.stringify({ id: `shape-${i}`, image: file, label }));
}
writeFileSync(path.join(dir, 'shapes.jsonl'), `${lines.join('\n')}\n`);

// 2. Train a small CNN; the spec names the plugin package, which registers vision:cnn.
const result = await train({
  spec: {
    plugins: ['@omnifuse/modality-vision'],
    inputs: [
      {
        field: 'image',
        encoder: 'vision:cnn',
        options: {
          preset: 'vgg',
          baseFilters: 8,
          extraBlocks: 2,
          preprocess: { size: { width: 32, height: 32 }, channels: 3, resize: 'fit' },
          augment: { horizontalFlip: 0.5 },
        },
      },
    ],
    output: { type: 'classification', field: 'label' },
    split: { type: 'stratified', by: 'label', ratios: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 3 },
    training: { epochs: 25, batchSize: 16, learningRate: 0.003, seed: 3 },
  },
  manifestPath: path.join(dir, 'shapes.jsonl'),
  bundleDir: path.join(dir, 'model'),
});
console.log(`test accuracy ${result.metrics.test.accuracy.toFixed(2)} on ${result.metrics.test.size} images`);

// 3. Predict on a new file with the saved bundle.
const model = await loadModel(path.join(dir, 'model'));
await sharp(
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="120" height="80" fill="#123"/>${shapes.circle(60, 40, 30, '#fc0')}</svg>`,
  ),
)
  .png()
  .toFile(path.join(dir, 'new.png'));
const [prediction] = await model.predict([{ id: 'new', image: 'new.png' }], { root: dir });
console.log(
  `new.png: ${prediction.prediction} (p = ${prediction.probabilities[prediction.prediction].toFixed(2)})`,
);
model.dispose();
