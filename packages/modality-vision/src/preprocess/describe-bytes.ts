import { escapedMagic, sniffMediaType } from '@omnifuse/core';

export { escapedMagic };

const AUDIO: Record<string, string> = {
  'audio/wav': 'WAV audio',
  'audio/flac': 'FLAC audio',
  'audio/ogg': 'Ogg audio',
  'audio/mpeg': 'MP3 audio',
  'audio/mp4': 'MP4 audio',
};

const OTHER: readonly [string, string][] = [
  ['%PDF', 'a PDF document'],
  ['PK\x03\x04', 'a ZIP archive'],
  ['\x1f\x8b', 'gzip data'],
];

/** Whether the first 512 bytes are UTF-8 text (tabs and line breaks allowed, no other controls). */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch (error) {
    // A multi-byte character cut at byte 512 is still text.
    if (head.length < 512 || !(error instanceof TypeError)) return false;
    text = new TextDecoder('utf-8').decode(head.subarray(0, 508));
    if (text.includes('\ufffd')) return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  return text.length > 0 && !/[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(text);
}

/**
 * What bytes that are no image look like — "WAV audio", "text", "a PDF document" — or undefined
 * when they are nothing recognisable. Never returns any of the content.
 */
export function nonImageKind(bytes: Uint8Array): string | undefined {
  const media = sniffMediaType(bytes);
  if (media && AUDIO[media]) return AUDIO[media];
  for (const [magic, kind] of OTHER) {
    if ([...magic].every((c, i) => bytes[i] === c.charCodeAt(0))) return kind;
  }
  return looksLikeText(bytes) ? 'text' : undefined;
}

/** For an error's `found`: the kind of content when known, and the escaped magic. */
export function describeBytes(bytes: Uint8Array): string {
  const kind = nonImageKind(bytes);
  return `${kind ?? 'unrecognised bytes'}, starting ${escapedMagic(bytes)}`;
}
