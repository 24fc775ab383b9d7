import path from 'node:path';
import { loadManifest, MEDIA_FIELD_TYPES } from '@omnifuse/core';
import type { DemoExample } from './server.js';

const MEDIA_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
};

/**
 * The first test record of each label (at most `limit`), with the model's input fields it has
 * (missing ones left out); media inlined as data URIs. Reads the manifest each call, so the page shows the set the model was
 * evaluated on.
 */
export async function testExamples(
  manifestPath: string,
  inputFields: readonly string[],
  limit = 10,
): Promise<DemoExample[]> {
  const dataset = await loadManifest(manifestPath, { fieldTypes: { label: 'category', split: 'category' } });
  const seen = new Set<string>();
  const examples: DemoExample[] = [];
  for (let i = 0; i < dataset.size && examples.length < limit; i++) {
    const record = dataset.records[i]!;
    const label = String(record.label);
    if (record.split !== 'test' || seen.has(label)) continue;
    seen.add(label);
    const inputs: Record<string, string> = {};
    for (const field of inputFields) {
      const type = dataset.fieldTypes[field]!;
      if (dataset.isMissing(i, field)) continue;
      if (MEDIA_FIELD_TYPES.includes(type)) {
        const ref = dataset.mediaRef(i, field);
        const mediaType =
          ref.kind === 'file'
            ? (MEDIA_TYPES[path.extname(ref.path).toLowerCase()] ?? 'application/octet-stream')
            : (ref.mediaType ?? 'application/octet-stream');
        inputs[field] =
          `data:${mediaType};base64,${Buffer.from(await dataset.readMedia(ref)).toString('base64')}`;
      } else if (type === 'text' || type === 'category') inputs[field] = String(record[field]);
    }
    examples.push({ id: String(dataset.ids[i]), label, inputs });
  }
  examples.sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }));
  return examples;
}
