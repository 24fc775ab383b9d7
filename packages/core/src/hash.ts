import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always serialise (and hash) the same. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const bytes = value as ArrayBufferView;
    return {
      $typed: value.constructor.name,
      $b64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    };
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalise(v);
    }
    return out;
  }
  return value;
}

/** Hex sha256 of strings and byte arrays, fed in order. */
export function sha256(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** Hash of any JSON-like value, typed arrays included. */
export function hashValue(value: unknown): string {
  return sha256(stableStringify(value));
}
