import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';

/**
 * One checkpoint file, `epoch-NNNN.ckpt` (NNNN: epochs completed):
 * `[u32 LE header length][header JSON][tensor bytes][sha256 of everything before]`.
 * Written to a temporary file, fsynced, renamed over, and the folder fsynced, so a reader sees a
 * whole file or none; the trailing checksum still catches a truncated or damaged one.
 */
const FORMAT = 'omnifuse-checkpoint';
const VERSION = 1;
const NAME = /^epoch-(\d+)\.ckpt$/;
const DIGEST_BYTES = 32;

interface TensorEntry {
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly offset: number;
  readonly bytes: number;
}

interface Header {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly epochsDone: number;
  readonly state: unknown;
  readonly groups: Record<string, TensorEntry[]>;
}

export interface Checkpoint<State> {
  readonly file: string;
  /** Epochs completed when it was written. */
  readonly epochsDone: number;
  readonly state: State;
  /** Tensors by group, in the order written; the caller disposes them. */
  readonly groups: Record<string, tf.Tensor[]>;
}

export function checkpointFile(dir: string, epochsDone: number): string {
  return path.join(dir, `epoch-${String(epochsDone).padStart(4, '0')}.ckpt`);
}

/** Writes a checkpoint atomically and keeps only the newest `keep` of them. Returns the file. */
export async function writeCheckpoint(
  dir: string,
  epochsDone: number,
  state: unknown,
  groups: Readonly<Record<string, readonly tf.Tensor[]>>,
  keep = 2,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const chunks: Uint8Array[] = [];
  const entries: Record<string, TensorEntry[]> = {};
  let offset = 0;
  for (const [name, tensors] of Object.entries(groups)) {
    entries[name] = [];
    for (const tensor of tensors) {
      const values = await tensor.data();
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
      entries[name].push({ dtype, shape: [...tensor.shape], offset, bytes: bytes.byteLength });
      chunks.push(bytes);
      offset += bytes.byteLength;
    }
  }
  const header: Header = { format: FORMAT, version: VERSION, epochsDone, state, groups: entries };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.byteLength);
  const body = Buffer.concat([length, headerBytes, ...chunks]);
  const digest = createHash('sha256').update(body).digest();

  const file = checkpointFile(dir, epochsDone);
  await writeFileAtomic(file, Buffer.concat([body, digest]));
  await syncDirectory(dir);
  const older = (await listCheckpoints(dir)).filter((f) => f.epochsDone < epochsDone);
  for (const stale of older.slice(0, Math.max(0, older.length - (keep - 1))))
    await rm(stale.file, { force: true });
  return file;
}

/** Checkpoint files in `dir`, oldest first (none when the folder does not exist). */
export async function listCheckpoints(dir: string): Promise<{ file: string; epochsDone: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: NAME.exec(name) }))
    .filter((entry) => entry.match)
    .map((entry) => ({ file: path.join(dir, entry.name), epochsDone: Number(entry.match![1]) }))
    .sort((a, b) => a.epochsDone - b.epochsDone);
}

/**
 * The newest checkpoint whose checksum and header hold, or null; each file passed over, with the
 * reason, goes to `skipped`.
 */
export async function readLatestCheckpoint<State>(
  dir: string,
  skipped: { file: string; reason: string }[] = [],
): Promise<Checkpoint<State> | null> {
  const files = (await listCheckpoints(dir)).reverse();
  for (const { file } of files) {
    try {
      return decode<State>(file, await readFile(file));
    } catch (error) {
      skipped.push({ file, reason: (error as Error).message });
    }
  }
  return null;
}

function decode<State>(file: string, data: Buffer): Checkpoint<State> {
  if (data.byteLength < 4 + DIGEST_BYTES) throw new Error('truncated');
  const body = data.subarray(0, data.byteLength - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(data.subarray(data.byteLength - DIGEST_BYTES))) throw new Error('checksum mismatch');
  const headerLength = body.readUInt32LE(0);
  const header = JSON.parse(body.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  if (header.format !== FORMAT || header.version !== VERSION)
    throw new Error('not a checkpoint of this version');
  const payload = body.subarray(4 + headerLength);
  const groups: Record<string, tf.Tensor[]> = {};
  for (const [name, entries] of Object.entries(header.groups)) {
    groups[name] = entries.map((entry) => {
      // Copy into an aligned buffer: typed-array views need offsets that are multiples of 4.
      const bytes = new Uint8Array(payload.subarray(entry.offset, entry.offset + entry.bytes));
      const values = entry.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
      return tf.tensor(values, entry.shape, entry.dtype);
    });
  }
  return { file, epochsDone: header.epochsDone, state: header.state as State, groups };
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
  }
}
