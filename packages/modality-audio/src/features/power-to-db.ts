export interface PowerToDbOptions {
  /** Reference power for 0 dB; librosa's default is 1. */
  ref?: number;
  /** Floor on power (and ref) before the logarithm. */
  amin?: number;
  /** Clip to this many dB below the utterance's maximum; `null` for no clipping. */
  topDb?: number | null;
}

/**
 * `10 log10(max(amin, S)) - 10 log10(max(amin, ref))`, then clipped to `max - topDb`: librosa's
 * power_to_db with its defaults (ref 1, amin 1e-10, topDb 80). In place on `values`.
 */
export function powerToDb(values: Float64Array, options: PowerToDbOptions = {}): Float64Array {
  const amin = options.amin ?? 1e-10;
  const ref = options.ref ?? 1;
  const topDb = options.topDb === undefined ? 80 : options.topDb;
  const offset = 10 * Math.log10(Math.max(amin, ref));
  const scale = 10 / Math.LN10;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const db = scale * Math.log(Math.max(v, amin)) - offset;
    values[i] = db;
    if (db > max) max = db;
  }
  if (topDb !== null) {
    const floor = max - topDb;
    for (let i = 0; i < values.length; i++) if (values[i] < floor) values[i] = floor;
  }
  return values;
}
