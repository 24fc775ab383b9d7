/**
 * The first `nOut` rows of the orthonormal DCT-II matrix of size `nIn` (scipy.fft.dct type 2,
 * norm 'ortho'), row-major `[nOut, nIn]`.
 */
export function dctMatrix(nIn: number, nOut: number): Float64Array {
  const out = new Float64Array(nOut * nIn);
  for (let k = 0; k < nOut; k++) {
    const scale = k === 0 ? Math.sqrt(1 / nIn) : Math.sqrt(2 / nIn);
    for (let n = 0; n < nIn; n++)
      out[k * nIn + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * nIn));
  }
  return out;
}
