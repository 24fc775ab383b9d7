#!/usr/bin/python3
"""Writes the fixture that checks omnifuse's MultiBench AV-MNIST spectrogram against spectrogram.py.

    /usr/bin/python3 bench/accuracy-parity/make_spectrogram_fixture.py

into packages/modality-audio/src/features/fixtures/multibench-spectrogram/ (needs numpy only):

  clip-short.wav   0.45 s (3,600 samples): shorter than 1 s, so zero-padded, centred
  clip-long.wav    1.3 s (10,400 samples): cropped to its centre 8,000 samples
  clip-odd.wav     8,001 samples: one sample too many, so the crop offset is floor(1 / 2) = 0
  spectrogram.bin  float32 little-endian [3, 112, 112] log1p(10 |STFT|) of the three clips, in that order
  expected.json    the settings, the clips, and the global mean / population std over all three

The clips are 8 kHz mono 16-bit PCM made from chirps and tones plus seeded noise (peaks below 0.9).
The features are computed from the WAV files as written and read back (int16 / 32768), exactly what
omnifuse's decoder gives. Rerunning the script rewrites the same files.
"""

import json
import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spectrogram as ref  # noqa: E402

SEED = 20240611
RATE = 8000
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages/modality-audio/src/features/fixtures/multibench-spectrogram"


def chirp(n, f0, f1, rate=RATE):
    """A linear chirp from f0 to f1 Hz over n samples."""
    t = np.arange(n) / rate
    duration = n / rate
    return np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / duration * t * t))


def tone(n, hz, rate=RATE):
    return np.sin(2 * np.pi * hz * np.arange(n) / rate)


def clips(rng):
    """(name, float64 samples) for the three clips; each is scaled to a peak below 0.9."""
    short_n, long_n, odd_n = 3600, 10400, 8001
    raw = [
        ("clip-short.wav", 0.6 * chirp(short_n, 300, 2500) + 0.2 * tone(short_n, 440)),
        (
            "clip-long.wav",
            0.4 * chirp(long_n, 3500, 200) + 0.3 * tone(long_n, 1000) * np.hanning(long_n),
        ),
        ("clip-odd.wav", 0.5 * tone(odd_n, 697) + 0.3 * tone(odd_n, 1209) + 0.1 * chirp(odd_n, 50, 3900)),
    ]
    out = []
    for name, samples in raw:
        samples = samples + 0.05 * rng.standard_normal(len(samples))
        samples *= rng.uniform(0.6, 0.85) / np.max(np.abs(samples))
        out.append((name, samples))
    return out


def write_wav(path, samples):
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(pcm.tobytes())


def main():
    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    features = []
    described = []
    for name, samples in clips(rng):
        path = OUT / name
        write_wav(path, samples)
        data, rate = ref.read_wav(path)
        assert rate == RATE and np.max(np.abs(data)) < 0.9
        features.append(ref.spectrogram(data))
        described.append({"file": name, "samples": len(data), "peak": float(np.max(np.abs(data)))})
    stacked = np.stack(features)
    assert stacked.shape == (3, ref.FRAMES, ref.BINS)
    stacked.astype("<f4").tofile(OUT / "spectrogram.bin")
    mean, std = ref.fit_standardize(features)
    expected = {
        "generator": "bench/accuracy-parity/make_spectrogram_fixture.py (spectrogram.py)",
        "seed": SEED,
        "numpy": np.__version__,
        "settings": {
            "sampleRate": RATE,
            "length": ref.LENGTH,
            "nFft": ref.N_FFT,
            "frames": ref.FRAMES,
            "bins": ref.BINS,
            "log1p": ref.SCALE,
            "window": "periodic hann",
            "crop": "centre",
        },
        "clips": described,
        "spectrogram": {
            "file": "spectrogram.bin",
            "dtype": "float32",
            "byteOrder": "little",
            "shape": list(stacked.shape),
        },
        "mean": mean,
        "std": std,
    }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {OUT.relative_to(ROOT)}: mean {mean!r}, std {std!r}, {total} bytes")


if __name__ == "__main__":
    main()
