"""Reference values for resample.test.ts from scipy.signal.resample_poly.

Run once with Debian's system Python (apt-get install -y python3-scipy):
    /usr/bin/python3 packages/modality-audio/scripts/resample-reference.py
It reads an FSDD clip from ../shared/data and writes a small JSON fixture: for each target rate,
an excerpt of scipy's output from the middle of the clip (away from the zero-padded edges).
"""
import json
import os
import wave

import numpy as np
import scipy
from scipy.signal import resample_poly

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIP = "0_jackson_0.wav"
SOURCE = os.path.join(ROOT, "..", "..", "..", "shared", "data", "fsdd", "recordings", CLIP)
OUT = os.path.join(ROOT, "test", "fixtures", "resample-reference.json")
EXCERPT = 400

with wave.open(SOURCE, "rb") as w:
    assert w.getframerate() == 8000 and w.getnchannels() == 1 and w.getsampwidth() == 2
    x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0

cases = []
for to_rate, up, down in [(16000, 2, 1), (6000, 3, 4), (11025, 441, 320)]:
    y = resample_poly(x, up, down)
    start = len(y) // 2 - EXCERPT // 2
    cases.append(
        {
            "toRate": to_rate,
            "up": up,
            "down": down,
            "outputLength": len(y),
            "excerptStart": start,
            "excerpt": [round(float(v), 7) for v in y[start : start + EXCERPT]],
        }
    )

with open(OUT, "w") as f:
    json.dump(
        {
            "generator": f"scipy {scipy.__version__} signal.resample_poly (default Kaiser beta=5 window)",
            "clip": CLIP,
            "fromRate": 8000,
            "inputLength": len(x),
            "cases": cases,
        },
        f,
        indent=1,
    )
    f.write("\n")
print("wrote", OUT)
