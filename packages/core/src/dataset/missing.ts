/**
 * The one definition of a missing value, used by inference, validation and feature extraction:
 * `undefined` (field absent), `null`, or a string that is empty after trimming. `NaN` is not
 * missing: it is a bad number, and validation reports it.
 */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
