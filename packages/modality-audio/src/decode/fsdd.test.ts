import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { expect, it } from 'vitest';
import { decodeWav } from './decode-wav.js';

describeWithData(['fsdd', 'recordings'], 'decodeWav on FSDD', () => {
  const dir = sharedDataPath('fsdd', 'recordings');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.wav'))
    .sort();

  it('decodes all 2,500 recordings as 8 kHz mono 16-bit PCM', () => {
    expect(files.length).toBe(2500);
    for (const name of files) {
      const out = decodeWav(readFileSync(path.join(dir, name)), { file: name });
      expect(out.sampleRate, name).toBe(8000);
      expect(out.channels, name).toBe(1);
      expect(out.format, name).toEqual({ encoding: 'pcm', bitsPerSample: 16 });
      expect(out.samples[0]!.length, name).toBeGreaterThan(0);
    }
  });

  it('matches a manual Int16 read of a known file', () => {
    const bytes = readFileSync(path.join(dir, '0_jackson_0.wav'));
    const out = decodeWav(bytes).samples[0]!;
    // Locate the data chunk by hand rather than trusting a 44-byte header.
    const dataAt = bytes.indexOf(Buffer.from('data')) + 8;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(out.length).toBe(Math.floor(view.getUint32(dataAt - 4, true) / 2));
    for (let i = 0; i < 64; i++) expect(out[i]).toBe(view.getInt16(dataAt + 2 * i, true) / 32768);
  });
});
