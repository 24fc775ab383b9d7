/** A seeded pseudo-random source; plugins must draw all train-time randomness from it. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** An independent generator derived from this one and a label (stable across runs). */
  fork(label: string): Rng;
}
