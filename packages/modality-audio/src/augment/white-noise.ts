import type { Rng } from '@omnifuse/core';

export type NoisyFeatureKind = 'power' | 'magnitude' | 'logmel';

/**
 * The feature with white noise added at `snrDb`, in the power domain: noise power per cell is
 * mean(signal power) / 10^(snr/10). Cross terms between signal and noise are dropped (zero in
 * expectation), so this matches the expected spectrum of signal + noise, not one realisation.
 *
 * - `power` / `magnitude`: each STFT bin gets that power times an exponential(1) draw, the
 *   distribution of |FFT of white Gaussian noise|² per bin; magnitude goes through x² and back.
 * - `logmel` (dB): values go to power as 10^(x/10) (the `ref` cancels in a ratio), get the expected
 *   noise power, flat across bands, and come back with the input's floor as the lower bound. Flat is
 *   an approximation: white noise's expected mel-band power is proportional to the band's filter
 *   area, which slaney-normalised filters make roughly equal. A band averages many FFT bins, so its
 *   fluctuation about that expectation is small and is not simulated.
 *
 * A silent feature (mean power 0) gets no noise: there is no signal level to set it against.
 */
export function addWhiteNoise(
  data: Float32Array,
  kind: NoisyFeatureKind,
  snrDb: number,
  rng: Rng,
): Float32Array {
  const n = data.length;
  const power = new Float64Array(n);
  let floor = Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    const p = kind === 'power' ? v : kind === 'magnitude' ? v * v : 10 ** (v / 10);
    power[i] = p;
    sum += p;
    if (v < floor) floor = v;
  }
  const noisePower = n === 0 ? 0 : sum / n / 10 ** (snrDb / 10);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'logmel') {
      out[i] = Math.max(10 * Math.log10(power[i]! + noisePower), floor);
    } else {
      // Exponential(1) by inversion; 1 - next() is in (0, 1], so the log is finite.
      const p = power[i]! + noisePower * -Math.log(1 - rng.next());
      out[i] = kind === 'power' ? p : Math.sqrt(p);
    }
  }
  return out;
}
