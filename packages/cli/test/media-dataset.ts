import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeWav } from '@omnifuse/modality-audio';
import sharp from 'sharp';

/**
 * Writes a small real media manifest, `data.jsonl`, into `dir`: per record a 28×28 grey PNG
 * (`digit`), a 640×480 colour JPEG (`photo`, when `photos`), an 8 kHz WAV tone of 0.5 s plus
 * 0.05 s per record (`clip`), and a label of three classes. Returns the manifest's path.
 */
export async function writeMediaDataset(
  dir: string,
  options: { readonly records?: number; readonly photos?: boolean } = {},
): Promise<string> {
  const records = options.records ?? 12;
  mkdirSync(path.join(dir, 'media'), { recursive: true });
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < records; i++) {
    const label = i % 3;
    // A bar whose place gives the class away, so a model can learn it.
    const digit = Buffer.alloc(28 * 28);
    for (let y = 4; y < 24; y++) digit.fill(200 + (i % 50), y * 28 + 6 + label * 6, y * 28 + 10 + label * 6);
    // sharp writes one raw channel as RGB unless told the colour space.
    await sharp(digit, { raw: { width: 28, height: 28, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(path.join(dir, `media/${i}.png`));
    const row: Record<string, unknown> = { id: `r${i}`, digit: `media/${i}.png` };
    if (options.photos) {
      await sharp({
        create: { width: 640, height: 480, channels: 3, background: { r: label * 90, g: 90, b: 30 } },
      })
        .jpeg()
        .toFile(path.join(dir, `media/${i}.jpg`));
      row.photo = `media/${i}.jpg`;
    }
    const samples = Float32Array.from(
      { length: 4000 + (i % 10) * 400 },
      (_, t) => 0.5 * Math.sin((2 * Math.PI * t * (300 + label * 200)) / 8000),
    );
    writeFileSync(path.join(dir, `media/${i}.wav`), encodeWav(samples, 8000));
    rows.push({ ...row, clip: `media/${i}.wav`, label: `c${label}` });
  }
  const manifest = path.join(dir, 'data.jsonl');
  writeFileSync(manifest, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return manifest;
}
