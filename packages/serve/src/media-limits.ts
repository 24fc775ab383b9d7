import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { HttpError } from './http-error.js';
import type { ModelInput, PreparedRecord } from './model-inputs.js';

type SharpModule = typeof import('sharp').default;
type AudioModule = typeof import('@omnifuse/modality-audio');

export interface MediaLimits {
  readonly imagePixels: number;
  readonly audioSeconds: number;
}

/** Checks one request's media against the limits, header first; built once per server. */
export type MediaCheck = (media: PreparedRecord['media'], limits: MediaLimits) => Promise<void>;

/** How the optional peers are imported; replaceable so a test can make one fail to load. */
export interface MediaModuleLoaders {
  readonly sharp: () => Promise<{ default: SharpModule }>;
  readonly audio: () => Promise<AudioModule>;
}

const defaultLoaders: MediaModuleLoaders = {
  sharp: () => import('sharp'),
  audio: () => import('@omnifuse/modality-audio'),
};

/**
 * Loads what the limits need for this bundle's inputs: sharp for image inputs, the audio package for
 * audio inputs. Either missing is a start-up error (`E_BACKEND_UNAVAILABLE`), never a limit silently
 * skipped per request; a text-only bundle needs neither.
 */
export async function createMediaCheck(
  inputs: readonly ModelInput[],
  loaders: MediaModuleLoaders = defaultLoaders,
): Promise<MediaCheck> {
  const fieldsOf = (type: string) => inputs.filter((input) => input.type === type).map((i) => i.field);
  const imageFields = fieldsOf('image');
  const audioFields = fieldsOf('audio');
  const sharp =
    imageFields.length > 0
      ? (await required('sharp', imageFields, 'image', () => loaders.sharp())).default
      : undefined;
  const audio =
    audioFields.length > 0
      ? await required('@omnifuse/modality-audio', audioFields, 'audio', () => loaders.audio())
      : undefined;
  return async (media, limits) => {
    for (const item of media) {
      if (item.type === 'image' && sharp) await checkImage(sharp, item.field, item.bytes, limits.imagePixels);
      else if (item.type === 'audio' && audio)
        await checkAudio(audio, item.field, item.bytes, limits.audioSeconds);
    }
  };
}

async function required<T>(
  packageName: string,
  fields: readonly string[],
  kind: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new OmnifuseError({
      code: ErrorCode.BackendUnavailable,
      message: `the bundle has ${kind} inputs (${fields.map((f) => `"${f}"`).join(', ')}) but ${packageName} could not be loaded (${reason}); install it to serve this bundle, since its ${kind} limits are checked with it`,
      field: fields[0],
      details: { package: packageName, fields: [...fields] },
      cause: error,
    });
  }
}

async function checkImage(sharp: SharpModule, field: string, bytes: Uint8Array, maxPixels: number) {
  let width: number | undefined;
  let height: number | undefined;
  try {
    // metadata() reads the header only; limitInputPixels: false so a huge image's size is reported.
    ({ width, height } = await sharp(bytes, { limitInputPixels: false }).metadata());
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new HttpError(422, 'E_INPUT', `field "${field}": not a readable image (${reason})`, field);
  }
  if (!width || !height) {
    throw new HttpError(422, 'E_INPUT', `field "${field}": the image header has no size`, field);
  }
  if (width * height > maxPixels) {
    throw new HttpError(
      413,
      'E_IMAGE_TOO_LARGE',
      `field "${field}": the image is ${width}×${height} = ${width * height} pixels; the limit is ${maxPixels}`,
      field,
    );
  }
}

/**
 * The header first: a declared duration over the limit is refused without decoding. A header can
 * leave the length out (FLAC total 0, Ogg, MP3 without an Info tag) or lie, so compressed audio is
 * then decoded with the limit, which stops the decoder once it is passed: memory stays bounded by
 * the limit, not by how far a small body expands. A WAV's header is its length (PCM is no bigger
 * than the body), so an exact WAV within the limit is not decoded here.
 */
async function checkAudio(audio: AudioModule, field: string, bytes: Uint8Array, maxSeconds: number) {
  const probe = await unreadable(field, () => audio.probeAudio(bytes));
  if (probe.durationSeconds !== undefined && probe.durationSeconds > maxSeconds) {
    throw tooLong(field, `its header declares ${probe.durationSeconds.toFixed(2)} s`, maxSeconds);
  }
  if (probe.format === 'wav' && probe.exact) return;
  try {
    await audio.decodeAudio(bytes, { field }, { maxSeconds });
  } catch (error) {
    if (OmnifuseError.isInstance(error) && error.details?.problem === 'too-long') {
      throw tooLong(field, `it decodes to more than ${maxSeconds} s`, maxSeconds);
    }
    throw notReadable(field, error);
  }
}

async function unreadable<T>(field: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw notReadable(field, error);
  }
}

function notReadable(field: string, error: unknown): HttpError {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return new HttpError(422, 'E_INPUT', `field "${field}": not readable audio (${reason})`, field);
}

function tooLong(field: string, what: string, maxSeconds: number): HttpError {
  return new HttpError(
    422,
    'E_AUDIO_TOO_LONG',
    `field "${field}": the audio is too long (${what}); the limit is ${maxSeconds} s`,
    field,
  );
}
