/** Image formats recognised from their first bytes. */
export type ImageFormat = 'JPEG' | 'PNG' | 'WebP' | 'GIF' | 'TIFF' | 'AVIF' | 'HEIF' | 'BMP' | 'SVG';

/**
 * What omnifuse hands to sharp. Others that libvips could open (SVG, raw PPM/FITS/vips files, …)
 * are refused before decoding: datasets should not render SVG or parse exotic formats by surprise.
 */
export const DECODED_IMAGE_FORMATS: readonly ImageFormat[] = [
  'JPEG',
  'PNG',
  'WebP',
  'GIF',
  'TIFF',
  'AVIF',
  'HEIF',
];

const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

function ascii(bytes: Uint8Array, start: number, text: string): boolean {
  if (bytes.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The image format of `bytes` from its signature, or undefined when it is none of {@link ImageFormat}. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  if (bytes[0] === 0x89 && ascii(bytes, 1, 'PNG\r\n')) return 'PNG';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'WebP';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'GIF';
  if (
    ascii(bytes, 0, 'II*\0') ||
    ascii(bytes, 0, 'MM\0*') ||
    ascii(bytes, 0, 'II+\0') ||
    ascii(bytes, 0, 'MM\0+')
  )
    return 'TIFF';
  if (ascii(bytes, 4, 'ftyp')) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (HEIF_BRANDS.has(brand)) return 'HEIF';
  }
  if (ascii(bytes, 0, 'BM') && bytes.length > 26) return 'BMP';
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG';
  return undefined;
}
