import { pathToFileURL } from 'node:url';
import type { Dataset } from '@omnifuse/core';
import { resolvePluginModule } from '@omnifuse/core';

/** Files read per media field: enough for a median and a quartile, cheap even on slow disks. */
export const MEDIA_SAMPLE_SIZE = 50;

/** What the headers of a sample of a field's images say. */
export interface ImageSample {
  readonly kind: 'image';
  /** Headers read. */
  readonly count: number;
  /** Median width and height of the sample, px. */
  readonly width: number;
  readonly height: number;
  /** True when every sampled header declares grey (with or without alpha). */
  readonly grey: boolean;
}

/** What the headers of a sample of a field's audio clips say. */
export interface AudioSample {
  readonly kind: 'audio';
  readonly count: number;
  /** The most common sample rate, Hz. */
  readonly sampleRate: number;
  /** Clip lengths in seconds: the median, the upper quartile (3 clips in 4 are no longer) and the longest. */
  readonly medianSeconds: number;
  readonly upperQuartileSeconds: number;
  readonly maxSeconds: number;
}

export type MediaSample = ImageSample | AudioSample;

/** Why a field has no sample: the modality package is not installed, or no sampled header could be read. */
export interface NoMediaSample {
  readonly kind: 'none';
  readonly reason: string;
}

/** A modality package's header reader (`probeImage`, `probeAudio`). */
type HeaderProbe = (bytes: Uint8Array) => unknown;
interface ImageHeader {
  readonly width: number;
  readonly height: number;
  readonly channels?: number;
}
interface AudioHeader {
  readonly sampleRate: number;
  readonly durationSeconds?: number;
}

const PROBE_PACKAGES = {
  image: { specifier: '@omnifuse/modality-vision', exportName: 'probeImage' },
  audio: { specifier: '@omnifuse/modality-audio', exportName: 'probeAudio' },
} as const;

/**
 * Reads the headers (decoding no pixels or samples) of up to {@link MEDIA_SAMPLE_SIZE} values of
 * every image and audio field, spread evenly over the records in manifest order so the same
 * manifest always gives the same sample. The header readers come from the modality packages,
 * looked up from `searchDirs` in turn as plugins are; a field whose package is missing, or none of
 * whose sampled headers can be read, gets a reason instead (the data check reports bad files).
 */
export async function sampleMedia(
  dataset: Dataset,
  searchDirs: readonly string[],
): Promise<Record<string, MediaSample | NoMediaSample>> {
  const probes = new Map<'image' | 'audio', HeaderProbe | string>();
  const out: Record<string, MediaSample | NoMediaSample> = {};
  for (const field of dataset.fields) {
    const type = dataset.fieldTypes[field];
    if (type !== 'image' && type !== 'audio') continue;
    if (!probes.has(type)) probes.set(type, await loadProbe(type, searchDirs));
    const probe = probes.get(type)!;
    if (typeof probe === 'string') {
      out[field] = { kind: 'none', reason: probe };
      continue;
    }
    const headers = await readHeaders(dataset, field, probe);
    if (headers.length === 0) {
      out[field] = { kind: 'none', reason: `none of the ${type} headers sampled could be read` };
      continue;
    }
    out[field] =
      type === 'image' ? imageSample(headers as ImageHeader[]) : audioSample(headers as AudioHeader[]);
  }
  return out;
}

/** Record indices with a value for `field`, `limit` of them evenly spread (all when fewer). */
export function sampleIndices(dataset: Dataset, field: string, limit = MEDIA_SAMPLE_SIZE): number[] {
  const present: number[] = [];
  for (let i = 0; i < dataset.size; i++) if (!dataset.isMissing(i, field)) present.push(i);
  if (present.length <= limit) return present;
  return Array.from({ length: limit }, (_, i) => present[Math.floor((i * present.length) / limit)]!);
}

async function readHeaders(dataset: Dataset, field: string, probe: HeaderProbe): Promise<unknown[]> {
  const headers: unknown[] = [];
  for (const index of sampleIndices(dataset, field)) {
    try {
      headers.push(probe(await dataset.readMedia(dataset.mediaRef(index, field))));
    } catch {
      // An unreadable file is the data check's to report; the sample goes on without it.
    }
  }
  return headers;
}

/** The package's header reader, or why there is none. */
async function loadProbe(
  kind: 'image' | 'audio',
  searchDirs: readonly string[],
): Promise<HeaderProbe | string> {
  const { specifier, exportName } = PROBE_PACKAGES[kind];
  for (const dir of searchDirs) {
    let file: string;
    try {
      file = resolvePluginModule(specifier, dir);
    } catch {
      continue;
    }
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    if (typeof module[exportName] === 'function') return module[exportName] as HeaderProbe;
  }
  return `${specifier} is not installed (npm install ${specifier}), so the ${kind} files were not sampled`;
}

function imageSample(headers: readonly ImageHeader[]): ImageSample {
  return {
    kind: 'image',
    count: headers.length,
    width: median(headers.map((h) => h.width)),
    height: median(headers.map((h) => h.height)),
    // A header that does not say is taken as colour: converting colour to grey loses information.
    grey: headers.every((h) => h.channels !== undefined && h.channels <= 2),
  };
}

function audioSample(headers: readonly AudioHeader[]): AudioSample {
  const seconds = headers
    .map((h) => h.durationSeconds)
    .filter((s): s is number => s !== undefined && Number.isFinite(s))
    .sort((a, b) => a - b);
  return {
    kind: 'audio',
    count: headers.length,
    sampleRate: mostCommon(headers.map((h) => h.sampleRate)),
    medianSeconds: seconds.length > 0 ? quantile(seconds, 0.5) : Number.NaN,
    upperQuartileSeconds: seconds.length > 0 ? quantile(seconds, 0.75) : Number.NaN,
    maxSeconds: seconds.length > 0 ? seconds.at(-1)! : Number.NaN,
  };
}

function median(values: readonly number[]): number {
  return Math.round(
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    ),
  );
}

/** Linear interpolation between the closest ranks of `sorted` (ascending). */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** The most frequent value; the larger one on a tie. */
function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}
