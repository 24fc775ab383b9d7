"""The MultiBench-style AV-MNIST audio feature in numpy: the reference for omnifuse's
`features: { kind: 'magnitude', frames, bins, log1p }` with `standardize: 'global'`.

  samples  -> the centre `length` samples (zero-padded, centred, when shorter)
           -> `frames` frames of `n_fft` samples, frame i starting at floor(i * (length - n_fft) / (frames - 1))
              (so the first starts at 0 and the last ends at the clip's end; hop (8000 - 222) / 111 = 70.07)
           -> periodic Hann window (scipy's get_window('hann', n_fft), torch.hann_window)
           -> |rFFT|, the first `bins` bins
           -> log1p(scale * magnitude)                   shape [frames, bins] (time, frequency)
then, fitted on the training split: (x - mean) / std with one global mean and std (population std)
over every value of every training clip.

Samples are 16-bit PCM / 32768, as omnifuse's WAV decoder gives them. Used by the accuracy-parity
benchmark's PyTorch side and by make_spectrogram_fixture.py.
"""

import wave

import numpy as np

LENGTH = 8000
N_FFT = 222
FRAMES = 112
BINS = 112
SCALE = 10.0


def read_wav(path):
    """Mono 16-bit PCM WAV -> (float64 samples in [-1, 1), sample rate)."""
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM, found {8 * f.getsampwidth()}-bit")
        rate = f.getframerate()
        channels = f.getnchannels()
        data = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def centre(samples, length=LENGTH):
    """The centre `length` samples; a shorter clip is zero-padded with floor(missing / 2) zeros before it."""
    n = len(samples)
    offset = abs(n - length) // 2
    if n >= length:
        return samples[offset : offset + length]
    out = np.zeros(length, dtype=np.float64)
    out[offset : offset + n] = samples
    return out


def spectrogram(samples, n_fft=N_FFT, frames=FRAMES, bins=BINS, scale=SCALE, length=LENGTH):
    """[frames, bins] float64 log1p(scale * |STFT|) of the centre `length` samples."""
    x = centre(np.asarray(samples, dtype=np.float64), length)
    starts = (np.arange(frames) * (length - n_fft)) // (frames - 1)
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)
    framed = x[starts[:, None] + np.arange(n_fft)[None, :]] * window
    magnitude = np.abs(np.fft.rfft(framed, n=n_fft, axis=1))[:, :bins]
    return np.log1p(scale * magnitude)


def fit_standardize(features):
    """Global mean and population std over every value of the training features (float64 sums)."""
    stacked = np.asarray(features, dtype=np.float64)
    return float(stacked.mean()), float(stacked.std())
