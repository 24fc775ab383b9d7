#!/usr/bin/python3
"""numpy/scipy log-mel and MFCC throughput, the baseline for bench/audio-features.mjs.

Reads a JSON request on stdin: {"files": [...], "runs": N, "sampleRate", "nFft", "hopLength",
"nMels", "nMfcc"}. Loads every file with scipy.io.wavfile first (not timed), then times only the
feature computation, per kind, over all clips; prints one JSON line with the best run's clips/s.
The formulas follow librosa's (as packages/modality-audio/scripts/features-reference.py), vectorised
per clip, with the window, mel bank and DCT prepared once.
"""
import json
import sys
import time

import numpy as np
import scipy.fft
import scipy.io.wavfile
import scipy.signal


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    logstep = np.log(6.4) / 27.0
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-300) / 1000.0) / logstep, f / f_sp)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), 200.0 / 3 * m)


def mel_filters(sr, n_fft, n_mels):
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    return (weights * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]).astype(np.float32).astype(np.float64)


def main():
    req = json.load(sys.stdin)
    sr, n_fft, hop, n_mels, n_mfcc = (req[k] for k in ('sampleRate', 'nFft', 'hopLength', 'nMels', 'nMfcc'))
    clips = []
    for f in req['files']:
        _, data = scipy.io.wavfile.read(f)
        clips.append(data.astype(np.float64) / 32768.0)
    window = scipy.signal.get_window('hann', n_fft, fftbins=True)
    mel_t = mel_filters(sr, n_fft, n_mels).T.copy()

    def logmel(y):
        y = np.pad(y, n_fft // 2, mode='reflect')
        frames = np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop]
        power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
        db = 10.0 * np.log10(np.maximum(1e-10, power @ mel_t))
        return np.maximum(db, db.max() - 80.0)

    def mfcc(y):
        return scipy.fft.dct(logmel(y), type=2, norm='ortho', axis=1)[:, :n_mfcc]

    out = {'clips': len(clips), 'numpy': np.__version__, 'scipy': scipy.__version__}
    for name, fn in (('logmel', logmel), ('mfcc', mfcc)):
        best = float('inf')
        checksum = 0.0
        for _ in range(req['runs']):
            start = time.perf_counter()
            results = [fn(y) for y in clips]
            best = min(best, time.perf_counter() - start)
            checksum = float(sum(r.sum() for r in results))
        out[name] = {'clipsPerSecond': len(clips) / best, 'checksum': checksum}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
