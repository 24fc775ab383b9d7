#!/usr/bin/python3
"""Reference STFT / log-mel / MFCC values for @omnifuse/modality-audio's feature tests.

librosa is not available, so this follows librosa's formulas in numpy/scipy, in float64:
  - frames: centred (n_fft // 2 reflect padding, numpy.pad mode='reflect'), periodic Hann window
    (scipy.signal.get_window('hann', n, fftbins=True));
  - power spectrum |rfft|^2, [frames, n_fft // 2 + 1];
  - mel filter bank as librosa.filters.mel (slaney or htk scale, slaney area normalisation);
  - log-mel as librosa.power_to_db (ref 1, amin 1e-10, top_db 80);
  - MFCC = scipy.fft.dct(log-mel, type=2, norm='ortho')[:n_mfcc];
  - deltas as librosa.feature.delta: scipy.signal.savgol_filter(width 9, deriv=polyorder=order,
    mode='interp') along time;
  - CMVN: per-dimension (x - mean) / std over frames (population std).

Run once with Debian's Python (apt-get install -y python3-scipy):
  /usr/bin/python3 packages/modality-audio/scripts/features-reference.py
It writes packages/modality-audio/test/fixtures/features-<clip>.json.
"""
import json
import os

import numpy as np
import scipy.fft
import scipy.io.wavfile
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDINGS = os.path.join(HERE, '../../../../shared/data/fsdd/recordings')
FIXTURES = os.path.join(HERE, '../test/fixtures')
CLIPS = ['0_george_0', '3_jackson_12', '7_theo_3']
CONFIG = dict(sample_rate=8000, n_fft=256, hop_length=64, n_mels=40, n_mfcc=13, f_min=0.0, f_max=4000.0)


def load(name):
    rate, data = scipy.io.wavfile.read(os.path.join(RECORDINGS, name + '.wav'))
    assert rate == 8000 and data.dtype == np.int16 and data.ndim == 1
    return data.astype(np.float64) / 32768.0


def power_spectrogram(y, n_fft, hop, window='hann'):
    y = np.pad(y, n_fft // 2, mode='reflect')
    count = 1 + (len(y) - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop][:count]
    win = scipy.signal.get_window(window, n_fft, fftbins=True)
    return np.abs(np.fft.rfft(frames * win, axis=1)) ** 2  # [frames, bins]


def hz_to_mel(f, htk):
    f = np.asanyarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(m, htk):
    m = np.asanyarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filters(sr, n_fft, n_mels, fmin, fmax, htk=False):
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    # librosa returns the bank as float32; round the same way so energies agree to float precision.
    return weights.astype(np.float32).astype(np.float64)


def power_to_db(s, ref=1.0, amin=1e-10, top_db=80.0):
    log_spec = 10.0 * np.log10(np.maximum(amin, s)) - 10.0 * np.log10(max(amin, ref))
    return np.maximum(log_spec, log_spec.max() - top_db)


def delta(x, order, width=9):
    # x: [frames, dims]; librosa.feature.delta along time.
    return scipy.signal.savgol_filter(x, width, deriv=order, polyorder=order, mode='interp', axis=0)


def cmvn(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def features(y, c=CONFIG):
    power = power_spectrogram(y, c['n_fft'], c['hop_length'])
    args = (c['sample_rate'], c['n_fft'], c['n_mels'], c['f_min'], c['f_max'])
    logmel = power_to_db(power @ mel_filters(*args).T)
    logmel_htk = power_to_db(power @ mel_filters(*args, htk=True).T)
    mfcc = scipy.fft.dct(logmel, type=2, norm='ortho', axis=1)[:, : c['n_mfcc']]
    mfcc_deltas = np.concatenate([mfcc, delta(mfcc, 1), delta(mfcc, 2)], axis=1)
    return power, logmel, logmel_htk, mfcc, mfcc_deltas


def rounded(a, digits=7):
    return [float(f'{v:.{digits}g}') for v in np.asarray(a).ravel()]


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    for i, clip in enumerate(CLIPS):
        y = load(clip)
        power, logmel, logmel_htk, mfcc, mfcc_deltas = features(y)
        out = {
            'clip': clip + '.wav',
            'config': CONFIG,
            'samples': len(y),
            'frames': power.shape[0],
            'powerFrameSums': rounded(power.sum(axis=1)),
            'mfcc': rounded(mfcc),
            'mfccDeltasCmvn': rounded(cmvn(mfcc_deltas)),
        }
        if i == 0:
            # Full detail for one clip only, to keep fixtures small.
            out['powerFirst20'] = rounded(power[:20])
            out['logmel'] = rounded(logmel)
            out['logmelHtk'] = rounded(logmel_htk)
            out['mfccDeltas'] = rounded(mfcc_deltas)
        path = os.path.join(FIXTURES, f'features-{clip}.json')
        with open(path, 'w') as f:
            json.dump(out, f, separators=(',', ':'))
        print(path, power.shape, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()
