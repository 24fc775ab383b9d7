/**
 * A layer whose randomness (dropout masks) comes from its seed and a count of draws so far. The
 * count is the only random state outside (seed, epoch), so a training checkpoint saves it and a
 * resumed run puts it back to draw the same masks as an uninterrupted run.
 */
export interface SeededRandomLayer {
  getRandomState(): number;
  setRandomState(draws: number): void;
}

export function hasRandomState(layer: unknown): layer is SeededRandomLayer {
  const candidate = layer as Partial<SeededRandomLayer> | null;
  return typeof candidate?.getRandomState === 'function' && typeof candidate.setRandomState === 'function';
}
