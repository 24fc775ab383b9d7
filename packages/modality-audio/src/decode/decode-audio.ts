import { type AudioSource, wavError } from './audio-error.js';
import { decodeFlac } from './decode-flac.js';
import type { DecodeAudioOptions } from './decode-limits.js';
import { decodeMp3 } from './decode-mp3.js';
import { decodeOgg } from './decode-ogg.js';
import { decodeWav } from './decode-wav.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { sniffContainer } from './sniff-container.js';

/**
 * Decodes WAV, FLAC, MP3 or Ogg Vorbis, chosen by magic bytes rather than the file name:
 * `RIFF….WAVE` → `decodeWav`; `fLaC` → FLAC; `OggS` → Vorbis; an ID3v2 tag or MPEG frame sync → MP3.
 * Returns one Float32Array per channel in [-1, 1], the shape `decodeWav` returns.
 *
 * The compressed decoders are WebAssembly modules, imported on first use only. Bad input is an
 * `OmnifuseError` (`E_INPUT`) whose `details.problem` says what is wrong and which names `where`:
 * - `unknown-format`: magic bytes of none of these; `unsupported-encoding`: Opus or FLAC in Ogg, AAC;
 * - `truncated-stream`: the container shows bytes are missing (Ogg pages, MP3 Info tag, FLAC header);
 * - `corrupt-stream`: FLAC or Vorbis frames the decoder rejects, or fewer FLAC samples than declared;
 * - `empty-clip`: no samples; `non-finite-sample`: NaN or Inf in the output;
 * - `too-long`: longer than `options.maxSeconds`.
 *
 * MP3 is the exception to "damaged input throws": frames carry no checksum and mpg123 skips those
 * it cannot decode, so their count is returned as `decodeErrors` (gaps in the clip); check it when
 * that matters. A WAV's data chunk that is cut short is decoded and flagged `truncated`, as before.
 *
 * `options.maxSeconds` bounds the clip: a header that declares more (WAV frames present, FLAC
 * STREAMINFO, Ogg last granule, MP3 Xing/Info/VBRI count) is refused before anything is decoded,
 * and every decoder stops as soon as its output passes the limit, for headers that lie or do not
 * say; either way the error is `too-long` (`details.seconds`, `details.maxSeconds`).
 */
export async function decodeAudio(
  bytes: Uint8Array,
  where?: AudioSource,
  options: DecodeAudioOptions = {},
): Promise<DecodedAudioFile> {
  const container = sniffContainer(bytes);
  switch (container.kind) {
    case 'wav': {
      const wav = decodeWav(bytes, where, options);
      return {
        sampleRate: wav.sampleRate,
        channels: wav.channels,
        samples: wav.samples,
        encoding: wav.format.encoding,
        bitsPerSample: wav.format.bitsPerSample,
        truncated: wav.truncated,
        decodeErrors: 0,
      };
    }
    case 'flac':
      return decodeFlac(bytes, container.start, where, options);
    case 'ogg':
      return decodeOgg(bytes, where, options);
    case 'mp3':
      return decodeMp3(bytes, container.start, where, options);
    case 'adts':
      throw wavError('unsupported-encoding', 'unsupported encoding: AAC (ADTS)', where, {
        expected: 'WAV, FLAC, MP3 or Ogg Vorbis',
        found: 'AAC (ADTS)',
      });
    case 'unknown':
      throw wavError('unknown-format', 'unknown audio format: not WAV, FLAC, MP3 or Ogg', where, {
        expected: "'RIFF'…'WAVE', 'fLaC', 'OggS', 'ID3' or an MPEG frame sync",
        found: bytes.length < 4 ? `${bytes.length} bytes` : container.found,
      });
  }
}
