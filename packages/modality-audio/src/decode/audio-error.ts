import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Where a clip came from, so an error names the record, field and file a user can find. */
export interface AudioSource {
  record?: string | number;
  field?: string;
  file?: string;
}

/** Stable tags for what is wrong with a WAV; match on `details.problem`, not on the message. */
export type WavProblem =
  | 'not-riff-wave'
  | 'truncated-header'
  | 'missing-fmt'
  | 'missing-data'
  | 'bad-fmt'
  | 'unsupported-encoding'
  | 'empty-clip'
  | 'non-finite-sample';

export function wavError(
  problem: WavProblem,
  message: string,
  where: AudioSource | undefined,
  extra: { expected?: unknown; found?: unknown; details?: Record<string, unknown> } = {},
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message,
    ...where,
    expected: extra.expected,
    found: extra.found,
    details: { problem, ...extra.details },
  });
}
