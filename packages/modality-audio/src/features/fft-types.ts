// The FFT interfaces, apart from their implementations, which import them from here.

/** A complex DFT of fixed size `n` over interleaved (re, im) float64 values, tables computed once. */
export interface ComplexFft {
  readonly n: number;
  readonly algorithm: ComplexFftAlgorithm;
  /** X_k = Σ_j x_j e^{−2πijk/n} of `src` into `dst` (both 2n long, distinct); `src` is overwritten. */
  transform(src: Float64Array, dst: Float64Array): void;
}

export type ComplexFftAlgorithm = 'mixed-radix' | 'bluestein';

/** A forward real DFT of fixed size `n`, with its tables computed once. */
export interface RealFft {
  readonly n: number;
  /** Number of non-negative frequency bins, `n / 2 + 1` (floor for odd `n`). */
  readonly bins: number;
  /** Writes the spectrum of `input` (length `n`) into `re` and `im` (length `bins`). */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void;
  /**
   * `|X|²` (or `|X|`) of `input[offset .. offset + n) * window` into `out[outOffset ..)`: the STFT's
   * inner step, without copying the frame or keeping the complex spectrum. A `Float64Array` `out`
   * keeps the values unrounded.
   */
  powerFrame(
    input: Float64Array,
    offset: number,
    window: Float64Array,
    out: Float32Array | Float64Array,
    outOffset: number,
    magnitude: boolean,
  ): void;
}
