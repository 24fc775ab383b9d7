import { HttpError } from './http-error.js';
import type { PreparedRecord } from './model-inputs.js';

type SharpModule = typeof import('sharp').default;
type AudioModule = typeof import('@omnifuse/modality-audio');

// Both are present wherever a bundle has image or audio inputs (the modality packages depend on
// them); they are loaded on first use so a text-only server needs neither.
let sharpModule: Promise<SharpModule | null> | undefined;
let audioModule: Promise<AudioModule | null> | undefined;

const loadSharp = () => {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    () => null,
  );
  return sharpModule;
};
const loadAudio = () => {
  audioModule ??= import('@omnifuse/modality-audio').then(
    (m) => m,
    () => null,
  );
  return audioModule;
};

export interface MediaLimits {
  readonly imagePixels: number;
  readonly audioSeconds: number;
}

/**
 * Refuses oversized or unreadable media before the model decodes it: image size from the header
 * (413 over the pixel limit), audio length from a decode (422 over the duration limit); bytes that
 * do not parse are 422 naming the field.
 */
export async function checkMedia(media: PreparedRecord['media'], limits: MediaLimits): Promise<void> {
  for (const item of media) {
    if (item.type === 'image') await checkImage(item.field, item.bytes, limits.imagePixels);
    else if (item.type === 'audio') await checkAudio(item.field, item.bytes, limits.audioSeconds);
  }
}

async function checkImage(field: string, bytes: Uint8Array, maxPixels: number): Promise<void> {
  const sharp = await loadSharp();
  if (!sharp) return;
  let width: number | undefined;
  let height: number | undefined;
  try {
    // limitInputPixels: false so the header of a huge image is read and reported, not refused vaguely.
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

async function checkAudio(field: string, bytes: Uint8Array, maxSeconds: number): Promise<void> {
  const audio = await loadAudio();
  if (!audio) return;
  let seconds: number;
  try {
    const decoded = await audio.decodeAudio(bytes, { field });
    seconds = (decoded.samples[0]?.length ?? 0) / decoded.sampleRate;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new HttpError(422, 'E_INPUT', `field "${field}": not readable audio (${reason})`, field);
  }
  if (seconds > maxSeconds) {
    throw new HttpError(
      422,
      'E_AUDIO_TOO_LONG',
      `field "${field}": the audio lasts ${seconds.toFixed(2)} s; the limit is ${maxSeconds} s`,
      field,
    );
  }
}
