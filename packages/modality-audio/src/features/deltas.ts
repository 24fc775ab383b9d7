/**
 * Time derivatives of a row-major `[frames, dims]` feature matrix, as librosa.feature.delta computes
 * them (a Savitzky-Golay filter of `width` frames, polynomial order = derivative order, mode
 * 'interp'): order 1 is the least-squares slope over the window, order 2 twice the quadratic
 * coefficient. In 'interp' mode the first and last width / 2 frames take the value of the nearest
 * full window, since the fitted polynomial's derivative of that order is constant.
 *
 * librosa refuses inputs shorter than `width`; here the window shrinks to the largest odd length
 * that fits (order 1 needs >= 2 frames, order 2 >= 3), and anything shorter gives zeros.
 */
export function deltas(
  data: Float64Array,
  frames: number,
  dims: number,
  order: 1 | 2,
  width = 9,
): Float64Array {
  const out = new Float64Array(frames * dims);
  let w = Math.min(width, frames % 2 === 1 ? frames : frames - 1);
  if (order === 1 && frames === 2) w = 2;
  if (w < order + 1) return out;
  const coeffs = savgolDerivativeCoefficients(w, order);
  const half = (w - 1) / 2;
  // Window positions relative to its first frame; for even w (2 frames) centre at 0.5.
  const firstCentre = Math.floor(half);
  const lastCentre = frames - 1 - Math.ceil(half);
  for (let c = firstCentre; c <= lastCentre; c++) {
    const base = c - firstCentre;
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      for (let j = 0; j < w; j++) sum += coeffs[j] * data[(base + j) * dims + d];
      out[c * dims + d] = sum;
    }
  }
  for (let t = 0; t < firstCentre; t++)
    out.copyWithin(t * dims, firstCentre * dims, (firstCentre + 1) * dims);
  for (let t = lastCentre + 1; t < frames; t++)
    out.copyWithin(t * dims, lastCentre * dims, (lastCentre + 1) * dims);
  return out;
}

/** Weights giving the `order`-th derivative of the order-`order` least-squares polynomial. */
function savgolDerivativeCoefficients(w: number, order: 1 | 2): Float64Array {
  const mid = (w - 1) / 2;
  const coeffs = new Float64Array(w);
  if (order === 1) {
    let denom = 0;
    for (let j = 0; j < w; j++) denom += (j - mid) ** 2;
    for (let j = 0; j < w; j++) coeffs[j] = (j - mid) / denom;
    return coeffs;
  }
  // The orthogonal quadratic n² - mean(n²) isolates the second-order coefficient.
  let meanSq = 0;
  for (let j = 0; j < w; j++) meanSq += (j - mid) ** 2;
  meanSq /= w;
  let denom = 0;
  for (let j = 0; j < w; j++) denom += ((j - mid) ** 2 - meanSq) ** 2;
  for (let j = 0; j < w; j++) coeffs[j] = (2 * ((j - mid) ** 2 - meanSq)) / denom;
  return coeffs;
}
