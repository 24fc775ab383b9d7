// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/cleaning.mjs
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanRecords, renderCleaningReport } from '@omnifuse/data';
import sharp from 'sharp';

// A tiny data root: two identical images under different names, one other image, one corrupt file.
const root = mkdtempSync(path.join(tmpdir(), 'cleaning-example-'));
const square = (r, g, b) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g, b } } }).png();
await square(255, 0, 0).toFile(path.join(root, 'red.png'));
await square(255, 0, 0).toFile(path.join(root, 'red-again.png'));
await square(0, 0, 255).toFile(path.join(root, 'blue.png'));
writeFileSync(path.join(root, 'broken.png'), 'not really a png');

const records = [
  { id: 'a', image: 'red.png', caption: 'A red square on white.', price: 4 },
  { id: 'b', image: 'red-again.png', caption: 'A red square on white.', price: 4 },
  { id: 'c', image: 'blue.png', caption: 'a red square on white', price: null },
  { id: 'd', image: 'broken.png', caption: 'A broken picture', price: 7 },
  { id: 'e', image: 'blue.png', caption: 'A blue square, seen from afar', price: null },
];

const { records: clean, report } = await cleanRecords(
  records,
  [
    { step: 'duplicates', fields: ['image', 'caption'], mediaFields: ['image'] },
    { step: 'near-duplicate-text', field: 'caption', threshold: 0.8 },
    { step: 'media', fields: ['image'], decode: async (bytes) => void (await sharp(bytes).stats()) },
    { step: 'missing', fields: ['price'], strategy: 'median', indicator: true },
  ],
  { root },
);
console.log(`kept ${clean.map((r) => `${r.id} (price ${r.price})`).join(', ')}`);
console.log(renderCleaningReport(report));
