/**
 * Frames of a row-major `[frames, dims]` spectrogram moved `shift` frames later (earlier when
 * negative): `out[t] = in[t - shift]`. Vacated frames get `fill`, or the frames wrap with `roll`.
 */
export function shiftFrames(
  data: Float32Array,
  frames: number,
  dims: number,
  shift: number,
  mode: { roll: true } | { roll: false; fill: number },
): Float32Array {
  const out = new Float32Array(data.length);
  for (let t = 0; t < frames; t++) {
    let source = t - shift;
    if (mode.roll) source = ((source % frames) + frames) % frames;
    if (source < 0 || source >= frames) out.fill(mode.roll ? 0 : mode.fill, t * dims, (t + 1) * dims);
    else out.set(data.subarray(source * dims, (source + 1) * dims), t * dims);
  }
  return out;
}
