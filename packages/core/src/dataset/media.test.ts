import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { parseDataUri, readMedia, resolveMediaPath, sniffMediaType, toMediaRef } from './media.js';

const FSDD = sharedDataPath('fsdd', 'recordings');

function thrown(run: () => unknown): OmnifuseError {
  try {
    run();
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OmnifuseError');
}

async function rejected(promise: Promise<unknown>): Promise<OmnifuseError> {
  try {
    await promise;
  } catch (error) {
    if (OmnifuseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an OmnifuseError');
}

let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'omnifuse-media-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'img'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'img', 'a.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2]));
  writeFileSync(path.join(outside, 'secret.png'), 'secret');
  symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'link.png'));
  symlinkSync(outside, path.join(root, 'linkdir'));
  symlinkSync(path.join(root, 'img', 'a.png'), path.join(root, 'inside-link.png'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveMediaPath', () => {
  it('resolves relative and absolute paths inside the root', () => {
    expect(resolveMediaPath(root, 'img/a.png')).toBe(path.join(root, 'img', 'a.png'));
    expect(resolveMediaPath(root, './img/../img/a.png')).toBe(path.join(root, 'img', 'a.png'));
    expect(resolveMediaPath(root, path.join(root, 'img', 'a.png'))).toBe(path.join(root, 'img', 'a.png'));
    expect(resolveMediaPath(root, 'inside-link.png')).toBe(path.join(root, 'inside-link.png'));
    // Not existing yet is fine here; reading reports it.
    expect(resolveMediaPath(root, 'img/new.png')).toBe(path.join(root, 'img', 'new.png'));
  });

  it('refuses .. escapes, absolute paths elsewhere and escaping symlinks, naming record and field', () => {
    const where = { record: 'r1', field: 'image', file: '/m.jsonl' };
    for (const value of [
      '../outside/secret.png',
      'img/../../outside/secret.png',
      path.join(outside, 'secret.png'),
    ]) {
      const error = thrown(() => resolveMediaPath(root, value, where));
      expect(error.code).toBe(ErrorCode.PathOutsideRoot);
      expect(error.record).toBe('r1');
      expect(error.field).toBe('image');
      expect(error.file).toBe('/m.jsonl');
    }
    expect(thrown(() => resolveMediaPath(root, 'link.png')).code).toBe(ErrorCode.PathOutsideRoot);
    expect(thrown(() => resolveMediaPath(root, 'linkdir/secret.png')).code).toBe(ErrorCode.PathOutsideRoot);
    expect(thrown(() => resolveMediaPath(root, 'linkdir/not-yet.png')).code).toBe(ErrorCode.PathOutsideRoot);
  });

  it('refuses URLs', () => {
    expect(thrown(() => resolveMediaPath(root, 'https://example.com/a.png')).code).toBe(
      ErrorCode.InvalidInput,
    );
  });
});

describe('toMediaRef and readMedia', () => {
  it('makes file references and reads their bytes', async () => {
    const ref = toMediaRef('img/a.png', root, { record: 0, field: 'image' });
    expect(ref).toEqual({ kind: 'file', path: path.join(root, 'img', 'a.png'), relativePath: 'img/a.png' });
    expect([...(await readMedia(ref))]).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2]);
  });

  it('makes inline references from data URIs and bytes', async () => {
    const ref = toMediaRef('data:image/png;base64,iVBORw==', root);
    expect(ref.kind).toBe('inline');
    expect(ref.kind === 'inline' && ref.mediaType).toBe('image/png');
    expect([...(await readMedia(ref))]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(parseDataUri('data:,a%20b').bytes).toEqual(new TextEncoder().encode('a b'));
    const bytes = Buffer.from('RIFF\0\0\0\0WAVEfmt ');
    const inline = toMediaRef(bytes, root);
    expect(inline).toMatchObject({ kind: 'inline', mediaType: 'audio/wav' });
  });

  it('rejects missing and non-media values with the record and field', () => {
    expect(thrown(() => toMediaRef(null, root, { record: 3, field: 'audio' }))).toMatchObject({
      code: ErrorCode.MissingField,
      record: 3,
      field: 'audio',
    });
    expect(thrown(() => toMediaRef(42, root, { record: 3, field: 'audio' })).code).toBe(
      ErrorCode.InvalidInput,
    );
    expect(thrown(() => toMediaRef('data:image/png;base64,@@@', root)).code).toBe(ErrorCode.InvalidInput);
  });

  it('names record, field and file when a media file is missing', async () => {
    const ref = toMediaRef('img/gone.png', root);
    const error = await rejected(readMedia(ref, { record: 'r9', field: 'image' }));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.record).toBe('r9');
    expect(error.field).toBe('image');
    expect(error.file).toBe(path.join(root, 'img', 'gone.png'));
    expect(error.message).toMatch(/not found/);
  });
});

describeWithData(['fsdd', 'recordings'], 'sniffMediaType on real files', () => {
  it('recognises an FSDD WAV', () => {
    expect(sniffMediaType(readFileSync(path.join(FSDD, '0_george_0.wav')))).toBe('audio/wav');
    expect(sniffMediaType(new TextEncoder().encode('hello world'))).toBeUndefined();
  });
});
