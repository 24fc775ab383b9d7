#!/usr/bin/env bash
# Encodes real FSDD recordings (8 kHz mono 16-bit) into the small FLAC, MP3 and Ogg Vorbis files
# that src/decode/decode-audio.test.ts decodes. Run by hand, not in CI; the outputs are committed.
#
#   apt-get install -y flac lame vorbis-tools   # Debian 12: flac 1.4.2, LAME 3.100, oggenc 1.4.2
#   packages/modality-audio/scripts/make-compressed-fixtures.sh [path/to/fsdd/recordings]
#
# MP3 encoder delay: LAME prepends its encoder delay (576 + 529 samples) and pads the last frame;
# it records both in the LAME/Info tag of the first frame, and mpg123 (with gapless decoding, the
# mpg123-decoder default) trims them, so the decoded clip lines up with the source to within a few
# samples. The test still aligns by cross-correlation rather than trusting that.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
recordings="${1:-$here/../../../../shared/data/fsdd/recordings}"
out="$here/../test/fixtures/compressed"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

source_wav="$recordings/0_george_0.wav"
longer_wav="$recordings/3_jackson_12.wav"

# A stereo variant: left is the recording, right its negation (clamped to int16), so a test can
# check each channel bit-exactly and that the channels are not swapped or merged.
python3 - "$source_wav" "$tmp/0_george_0-stereo.wav" <<'PY'
import array, sys, wave
with wave.open(sys.argv[1], 'rb') as src:
    assert (src.getnchannels(), src.getsampwidth()) == (1, 2)
    rate = src.getframerate()
    left = array.array('h', src.readframes(src.getnframes()))
both = array.array('h')
for s in left:
    both.append(s)
    both.append(min(32767, -s))
with wave.open(sys.argv[2], 'wb') as dst:
    dst.setnchannels(2)
    dst.setsampwidth(2)
    dst.setframerate(rate)
    dst.writeframes(both.tobytes())
PY

# FLAC: lossless, so decoding must give back the source samples exactly.
flac --silent --force --best --no-padding --no-preserve-modtime -o "$out/0_george_0.flac" "$source_wav"
flac --silent --force --best --no-padding --no-preserve-modtime -o "$out/0_george_0-stereo.flac" "$tmp/0_george_0-stereo.wav"

# MP3: constant 64 kbit/s (MPEG-2.5 layer III at 8 kHz), with the LAME/Info tag (delay, padding).
lame --quiet -b 64 --cbr -q 2 "$source_wav" "$out/0_george_0.mp3"
lame --quiet -b 64 --cbr -q 2 "$longer_wav" "$out/3_jackson_12.mp3"

# Ogg Vorbis: quality 4 (about 30 kbit/s at 8 kHz mono); fixed serial so reruns are byte-identical.
oggenc --quiet -q 4 --serial 1 --discard-comments -o "$out/0_george_0.ogg" "$source_wav"
oggenc --quiet -q 4 --serial 2 --discard-comments -o "$out/3_jackson_12.ogg" "$longer_wav"

chmod 644 "$out"/*
ls -l "$out"
du -cb "$out"/* | tail -1
