import { type AudioSource, wavError } from './audio-error.js';
import type { WavEncoding } from './decoded-audio.js';

export interface WavFormat {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes of one frame (all channels), from the stream's block alignment. */
  blockAlign: number;
}

const PCM = 0x0001;
const IEEE_FLOAT = 0x0003;
const EXTENSIBLE = 0xfffe;

/** Names for format codes we recognise but do not decode, so the error says what the file is. */
const UNSUPPORTED_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'µ-law',
  17: 'IMA ADPCM',
  49: 'GSM 6.10',
  80: 'MPEG',
  85: 'MPEG Layer 3',
  353: 'Windows Media Audio',
  8192: 'AC-3',
};

/** Bytes 2..15 shared by every KSDATAFORMAT_SUBTYPE GUID whose first two bytes are a format code. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export function encodingName(code: number): string {
  return UNSUPPORTED_NAMES[code] ?? `format code 0x${code.toString(16).padStart(4, '0')}`;
}

/** Parses a `fmt ` chunk body; throws a typed error for malformed or undecodable formats. */
export function parseFmtChunk(view: DataView, offset: number, size: number, where?: AudioSource): WavFormat {
  if (size < 16) {
    throw wavError('bad-fmt', 'fmt chunk too short', where, {
      expected: '>= 16 bytes',
      found: `${size} bytes`,
    });
  }
  let code = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);

  if (code === EXTENSIBLE) {
    if (size < 40) {
      throw wavError('bad-fmt', 'WAVE_FORMAT_EXTENSIBLE fmt chunk too short', where, {
        expected: '>= 40 bytes',
        found: `${size} bytes`,
      });
    }
    const guid = offset + 24;
    const tailMatches = GUID_TAIL.every((byte, i) => view.getUint8(guid + 2 + i) === byte);
    code = view.getUint16(guid, true);
    if (!tailMatches) {
      throw wavError(
        'unsupported-encoding',
        'unsupported encoding: unknown WAVE_FORMAT_EXTENSIBLE sub-format',
        where,
        {
          expected: 'PCM or IEEE float sub-format',
          found: guidText(view, guid),
        },
      );
    }
  }

  let encoding: WavEncoding;
  if (code === PCM) encoding = 'pcm';
  else if (code === IEEE_FLOAT) encoding = 'float';
  else {
    throw wavError('unsupported-encoding', `unsupported encoding: ${encodingName(code)}`, where, {
      expected: 'PCM or IEEE float',
      found: encodingName(code),
      details: { formatCode: code },
    });
  }

  const allowed = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!allowed.includes(bitsPerSample)) {
    throw wavError('unsupported-encoding', `unsupported encoding: ${bitsPerSample}-bit ${encoding}`, where, {
      expected: `${encoding} with ${allowed.join('/')} bits per sample`,
      found: bitsPerSample,
    });
  }
  if (channels === 0) {
    throw wavError('bad-fmt', 'fmt chunk declares zero channels', where, { expected: '>= 1', found: 0 });
  }
  if (sampleRate === 0) {
    throw wavError('bad-fmt', 'fmt chunk declares a sample rate of 0', where, {
      expected: '> 0 Hz',
      found: 0,
    });
  }
  const frameBytes = (channels * bitsPerSample) / 8;
  if (blockAlign !== frameBytes) {
    throw wavError('bad-fmt', 'fmt chunk block alignment does not match channels × sample size', where, {
      expected: frameBytes,
      found: blockAlign,
    });
  }
  return { encoding, channels, sampleRate, bitsPerSample, blockAlign };
}

/** The sub-format GUID's first 8 bytes in hex (an error quotes no more of a file than that). */
function guidText(view: DataView, offset: number): string {
  const hex: string[] = [];
  for (let i = 0; i < 8; i++)
    hex.push(
      view
        .getUint8(offset + i)
        .toString(16)
        .padStart(2, '0'),
    );
  return `GUID ${hex.join('')}…`;
}
