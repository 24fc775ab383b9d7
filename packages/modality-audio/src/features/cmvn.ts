/**
 * Per-utterance mean and variance normalisation of `[frames, dims]`, in place: each dimension
 * minus its mean over frames, divided by its population standard deviation (left centred only
 * where that is below 1e-8, so silence does not blow up).
 */
export function cmvn(data: Float64Array, frames: number, dims: number): Float64Array {
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let t = 0; t < frames; t++) mean += data[t * dims + d];
    mean /= frames;
    let variance = 0;
    for (let t = 0; t < frames; t++) variance += (data[t * dims + d] - mean) ** 2;
    const std = Math.sqrt(variance / frames);
    const scale = std < 1e-8 ? 1 : 1 / std;
    for (let t = 0; t < frames; t++) data[t * dims + d] = (data[t * dims + d] - mean) * scale;
  }
  return data;
}
