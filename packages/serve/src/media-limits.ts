import {
  type EncoderV1,
  ErrorCode,
  type FittedEncoder,
  type MeasureLimits,
  type MediaMeasure,
  type MediaRef,
  OmnifuseError,
} from '@omnifuse/core';
import { HttpError } from './http-error.js';
import { isMediaInput, type ModelInput, type PreparedRecord } from './model-inputs.js';

export interface MediaLimits {
  readonly imagePixels: number;
  readonly audioSeconds: number;
}

/**
 * Checks one record's media against the limits, header first; built once per server. `record` is the
 * record's index in its request (0 for a single prediction), for the encoder's context.
 */
export type MediaCheck = (
  media: PreparedRecord['media'],
  limits: MediaLimits,
  record?: number,
) => Promise<void>;

/** The encoders of a bundle's inputs by field, as `loadModel` re-creates them. */
export type EncodersByField = Readonly<Record<string, Pick<FittedEncoder, 'encoder'>>>;

/**
 * Builds the media check of a bundle. The server knows no medium: each media input's encoder measures
 * its values (`EncoderV1.measure`: pixels and seconds, from the header or a decoder stopped at the
 * limit), and the server compares the sizes with its limits. A media input whose encoder cannot
 * measure is a start-up error (`E_PLUGIN_FAILED`), never a limit silently skipped per request; a
 * bundle without media inputs needs nothing.
 */
export function createMediaCheck(inputs: readonly ModelInput[], encoders: EncodersByField): MediaCheck {
  const measures = new Map<string, NonNullable<EncoderV1['measure']>>();
  for (const input of inputs.filter(isMediaInput)) {
    const encoder = encoders[input.field]?.encoder;
    if (!encoder?.measure) {
      throw new OmnifuseError({
        code: ErrorCode.PluginFailed,
        message: `the bundle's ${input.type} input "${input.field}" is encoded by ${input.encoder}, which has no measure hook, so its sizes cannot be checked against the server's limits before decoding; serve it with an encoder version that implements measure`,
        field: input.field,
        plugin: input.encoder,
        step: 'measure',
        expected: 'an encoder with measure(raw, context)',
        found: 'no measure',
      });
    }
    measures.set(input.field, encoder.measure.bind(encoder));
  }
  return async (media, limits, record = 0) => {
    for (const item of media) {
      const measure = measures.get(item.field);
      if (measure) await checkMedia(measure, record, item, limits);
    }
  };
}

async function checkMedia(
  measure: NonNullable<EncoderV1['measure']>,
  record: number,
  { field, type, bytes }: PreparedRecord['media'][number],
  limits: MediaLimits,
): Promise<void> {
  const bounds: MeasureLimits = { pixels: limits.imagePixels, seconds: limits.audioSeconds };
  const ref: MediaRef = { kind: 'inline', bytes };
  let size: MediaMeasure;
  try {
    size = await measure(ref, { record, field, readMedia: async () => bytes, limits: bounds });
  } catch (error) {
    const reason = (
      OmnifuseError.isInstance(error) ? error.reason : String((error as Error)?.message ?? error)
    ).split('\n')[0];
    throw new HttpError(422, 'E_INPUT', `field "${field}": the ${type} is not readable (${reason})`, field);
  }
  const { width, height, seconds } = size;
  if (width !== undefined && height !== undefined && width * height > limits.imagePixels) {
    throw new HttpError(
      413,
      'E_IMAGE_TOO_LARGE',
      `field "${field}": the ${type} is ${width}×${height} = ${width * height} pixels; the limit is ${limits.imagePixels}`,
      field,
    );
  }
  if (seconds !== undefined && (seconds > limits.audioSeconds || size.stoppedAtLimit)) {
    const what =
      size.source === 'header'
        ? `its header declares ${seconds.toFixed(2)} s`
        : size.stoppedAtLimit
          ? `it decodes to more than ${limits.audioSeconds} s`
          : `it lasts ${seconds.toFixed(2)} s`;
    throw new HttpError(
      422,
      'E_AUDIO_TOO_LONG',
      `field "${field}": the ${type} is too long (${what}); the limit is ${limits.audioSeconds} s`,
      field,
    );
  }
}
