import { describe, expect, it } from 'vitest';
import { createServerMetrics, LATENCY_BUCKETS } from './metrics.js';

const REQUESTS = 'omnifuse_http_requests_total';
const DURATION = 'omnifuse_http_request_duration_seconds';
const NO_GAUGES = { queueDepth: 0, inFlight: 0, activePredictions: 0 };

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  help?: string;
  type?: string;
  readonly samples: Sample[];
}

const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;

function unescapeLabel(value: string): string {
  return value.replace(/\\([\\"n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = LABEL.exec(rest);
    if (!match) throw new Error(`bad labels: ${text}`);
    const [whole, name, value] = match;
    if (name! in labels) throw new Error(`label ${name} twice in ${text}`);
    labels[name!] = unescapeLabel(value!);
    rest = rest.slice(whole.length);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (rest.length > 0) throw new Error(`bad labels: ${text}`);
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`bad value: ${text}`);
  return value;
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` belong to its base name. */
function familyOf(name: string, families: ReadonlyMap<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && families.get(base)?.type === 'histogram') return base;
  }
  return name;
}

/**
 * A strict reader of the Prometheus text format (0.0.4) for what this module writes: HELP then TYPE
 * once per family, before its samples, and each family's samples together.
 */
function parsePrometheus(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  let current: string | undefined;
  const enter = (name: string) => {
    if (current !== name) {
      if (current) finished.add(current);
      if (finished.has(name)) throw new Error(`family ${name} is split`);
      current = name;
    }
    let family = families.get(name);
    if (!family) {
      family = { samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      const family = enter(name!);
      if (kind === 'HELP') {
        if (family.help !== undefined || family.type !== undefined || family.samples.length > 0) {
          throw new Error(`HELP for ${name} out of place`);
        }
        family.help = rest;
      } else {
        if (family.type !== undefined || family.samples.length > 0)
          throw new Error(`TYPE for ${name} out of place`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!)) {
          throw new Error(`unknown type ${rest}`);
        }
        family.type = rest;
      }
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labels, value] = sample;
    const family = enter(familyOf(name!, families));
    if (family.type === undefined) throw new Error(`sample of ${name} before its TYPE`);
    family.samples.push({ name: name!, labels: parseLabels(labels ?? ''), value: parseValue(value!) });
  }
  return families;
}

function samplesOf(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  const all = [...parsePrometheus(text).values()].flatMap((family) => family.samples);
  return all.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v),
  );
}

function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(text, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

/** Bucket counts by `le`, in the order written. */
function bucketsOf(text: string, labels: Record<string, string>): [string, number][] {
  return samplesOf(text, `${DURATION}_bucket`, labels).map((sample) => [sample.labels.le!, sample.value]);
}

/** A small seeded generator, so the shuffles are the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('LATENCY_BUCKETS', () => {
  it('rises strictly, as cumulative buckets need', () => {
    for (let i = 1; i < LATENCY_BUCKETS.length; i++) {
      expect(LATENCY_BUCKETS[i]!).toBeGreaterThan(LATENCY_BUCKETS[i - 1]!);
    }
  });
});

describe('createServerMetrics', () => {
  it('renders HELP, TYPE and the gauges before any request', () => {
    const text = createServerMetrics().render({ queueDepth: 3, inFlight: 5, activePredictions: 2 });
    expect(text).toBe(
      [
        `# HELP ${REQUESTS} HTTP requests answered, by route, method and status.`,
        `# TYPE ${REQUESTS} counter`,
        `# HELP ${DURATION} Time from request to response.`,
        `# TYPE ${DURATION} histogram`,
        '# HELP omnifuse_queue_depth Prediction requests admitted and not yet running (body being read, or waiting for a slot).',
        '# TYPE omnifuse_queue_depth gauge',
        'omnifuse_queue_depth 3',
        '# HELP omnifuse_predictions_in_progress Predictions running now.',
        '# TYPE omnifuse_predictions_in_progress gauge',
        'omnifuse_predictions_in_progress 2',
        '# HELP omnifuse_http_requests_in_flight HTTP requests received and not yet answered.',
        '# TYPE omnifuse_http_requests_in_flight gauge',
        'omnifuse_http_requests_in_flight 5',
        '',
      ].join('\n'),
    );
    const families = parsePrometheus(text);
    expect([...families].map(([name, family]) => [name, family.type, family.samples.length])).toEqual([
      [REQUESTS, 'counter', 0],
      [DURATION, 'histogram', 0],
      ['omnifuse_queue_depth', 'gauge', 1],
      ['omnifuse_predictions_in_progress', 'gauge', 1],
      ['omnifuse_http_requests_in_flight', 'gauge', 1],
    ]);
  });

  it('writes the series of one request exactly', () => {
    const metrics = createServerMetrics();
    metrics.observe('/v1/predict', 'POST', 200, 0.75);
    const labels = 'route="/v1/predict",method="POST"';
    const buckets = LATENCY_BUCKETS.map(
      (bound) => `${DURATION}_bucket{${labels},le="${bound}"} ${bound >= 1 ? 1 : 0}`,
    );
    const lines = metrics.render(NO_GAUGES).split('\n');
    expect(lines.slice(0, 20)).toEqual([
      `# HELP ${REQUESTS} HTTP requests answered, by route, method and status.`,
      `# TYPE ${REQUESTS} counter`,
      `${REQUESTS}{${labels},status="200"} 1`,
      `# HELP ${DURATION} Time from request to response.`,
      `# TYPE ${DURATION} histogram`,
      ...buckets,
      `${DURATION}_bucket{${labels},le="+Inf"} 1`,
      `${DURATION}_sum{${labels}} 0.75`,
      `${DURATION}_count{${labels}} 1`,
    ]);
    expect(buckets.map((line) => line.split(' ')[0]!.match(/le="([^"]+)"/)![1])).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '30',
    ]);
  });

  it('counts requests per route, method and status', () => {
    const metrics = createServerMetrics();
    const seen: [string, string, number][] = [
      ['/v1/predict', 'POST', 200],
      ['/v1/predict', 'POST', 200],
      ['/v1/predict', 'POST', 200],
      ['/v1/predict', 'POST', 503],
      ['/v1/predict', 'GET', 404],
      ['/v1/predict/batch', 'POST', 200],
      ['/v1/predict/batch', 'POST', 504],
      ['/v1/predict/batch', 'POST', 504],
      ['unmatched', 'GET', 404],
    ];
    for (const [route, method, status] of seen) metrics.observe(route, method, status, 0.01);
    const text = metrics.render(NO_GAUGES);

    const counted = samplesOf(text, REQUESTS).map((sample) => [
      sample.labels.route,
      sample.labels.method,
      sample.labels.status,
      sample.value,
    ]);
    expect(counted).toEqual([
      ['/v1/predict', 'POST', '200', 3],
      ['/v1/predict', 'POST', '503', 1],
      ['/v1/predict', 'GET', '404', 1],
      ['/v1/predict/batch', 'POST', '200', 1],
      ['/v1/predict/batch', 'POST', '504', 2],
      ['unmatched', 'GET', '404', 1],
    ]);
    // Latency is kept per route and method: statuses share one histogram.
    expect(sampleValue(text, `${DURATION}_count`, { route: '/v1/predict', method: 'POST' })).toBe(4);
    expect(sampleValue(text, `${DURATION}_count`, { route: '/v1/predict', method: 'GET' })).toBe(1);
    expect(sampleValue(text, `${DURATION}_count`, { route: '/v1/predict/batch', method: 'POST' })).toBe(3);
    expect(sampleValue(text, `${DURATION}_count`, { route: 'unmatched', method: 'GET' })).toBe(1);
    expect(samplesOf(text, `${DURATION}_count`)).toHaveLength(4);
  });

  it('escapes backslashes, quotes and newlines in a route label', () => {
    const route = '/odd/"quoted"\\back\nline';
    const metrics = createServerMetrics();
    metrics.observe(route, 'GET', 200, 0.02);
    const text = metrics.render(NO_GAUGES);

    expect(text).toContain(
      `${REQUESTS}{route="/odd/\\"quoted\\"\\\\back\\nline",method="GET",status="200"} 1`,
    );
    expect(text.split('\n').filter((line) => line.startsWith(`${DURATION}_count`))).toEqual([
      `${DURATION}_count{route="/odd/\\"quoted\\"\\\\back\\nline",method="GET"} 1`,
    ]);
    // Every sample reads back with the original route.
    const samples = [...parsePrometheus(text).values()].flatMap((family) => family.samples);
    const routes = new Set(samples.filter((s) => s.labels.route !== undefined).map((s) => s.labels.route));
    expect([...routes]).toEqual([route]);
  });

  it('keeps histogram buckets cumulative, with +Inf equal to _count and _sum the total', () => {
    const metrics = createServerMetrics();
    for (const seconds of [0.001, 0.004, 0.02, 0.3, 0.3, 4, 45])
      metrics.observe('/v1/predict', 'POST', 200, seconds);
    const text = metrics.render(NO_GAUGES);
    const labels = { route: '/v1/predict', method: 'POST' };

    expect(bucketsOf(text, labels)).toEqual([
      ['0.005', 2],
      ['0.01', 2],
      ['0.025', 3],
      ['0.05', 3],
      ['0.1', 3],
      ['0.25', 3],
      ['0.5', 5],
      ['1', 5],
      ['2.5', 5],
      ['5', 6],
      ['10', 6],
      ['30', 6],
      ['+Inf', 7],
    ]);
    expect(sampleValue(text, `${DURATION}_count`, labels)).toBe(7);
    expect(sampleValue(text, `${DURATION}_sum`, labels)).toBe(0.001 + 0.004 + 0.02 + 0.3 + 0.3 + 4 + 45);
  });

  it('counts an observation exactly on a bound in that bucket (le is inclusive)', () => {
    const metrics = createServerMetrics();
    LATENCY_BUCKETS.forEach((bound, i) => {
      metrics.observe(`/bound/${i}`, 'GET', 200, bound);
    });
    const text = metrics.render(NO_GAUGES);

    LATENCY_BUCKETS.forEach((bound, i) => {
      const labels = { route: `/bound/${i}`, method: 'GET' };
      expect(bucketsOf(text, labels)).toEqual([
        ...LATENCY_BUCKETS.map((other): [string, number] => [String(other), other >= bound ? 1 : 0]),
        ['+Inf', 1],
      ]);
      expect(sampleValue(text, `${DURATION}_sum`, labels)).toBe(bound);
    });
  });

  it('gives the same totals for many observations in any order', () => {
    // Multiples of 1/1024 s add up exactly in floating point, so the sum cannot depend on the order.
    const random = mulberry32(20240601);
    // Spread evenly in log scale from 1 ms to 40 s, so every bucket gets some.
    const observations = Array.from(
      { length: 500 },
      () => Math.round(1024 * 0.001 * 40_000 ** random()) / 1024,
    );
    observations.push(...LATENCY_BUCKETS.filter((bound) => Number.isInteger(bound * 1024)));
    const expectedSum = observations.reduce((sum, seconds) => sum + seconds, 0);
    const expectedBuckets: [string, number][] = [
      ...LATENCY_BUCKETS.map((bound): [string, number] => [
        String(bound),
        observations.filter((seconds) => seconds <= bound).length,
      ]),
      ['+Inf', observations.length],
    ];

    const renders = [0, 1, 2].map((round) => {
      const metrics = createServerMetrics();
      const order = round === 0 ? observations : shuffled(observations, random);
      for (const seconds of order) metrics.observe('/v1/predict', 'POST', 200, seconds);
      return metrics.render(NO_GAUGES);
    });
    expect(renders[1]).toBe(renders[0]);
    expect(renders[2]).toBe(renders[0]);

    const text = renders[0]!;
    const labels = { route: '/v1/predict', method: 'POST' };
    expect(bucketsOf(text, labels)).toEqual(expectedBuckets);
    expect(sampleValue(text, `${DURATION}_count`, labels)).toBe(observations.length);
    expect(sampleValue(text, `${DURATION}_sum`, labels)).toBe(expectedSum);
    expect(sampleValue(text, REQUESTS, { ...labels, status: '200' })).toBe(observations.length);
    // Every bucket holds observations of its own, so the check above says something about each.
    expectedBuckets.forEach(([, count], i) => {
      expect(count).toBeGreaterThan(i === 0 ? 0 : expectedBuckets[i - 1]![1]);
    });
  });

  it('renders the gauges it is given, and only those', () => {
    const metrics = createServerMetrics();
    metrics.observe('/v1/predict', 'POST', 200, 0.1);
    const first = metrics.render({ queueDepth: 4, inFlight: 9, activePredictions: 2 });
    const second = metrics.render({ queueDepth: 0, inFlight: 1, activePredictions: 0 });

    expect(sampleValue(first, 'omnifuse_queue_depth')).toBe(4);
    expect(sampleValue(first, 'omnifuse_http_requests_in_flight')).toBe(9);
    expect(sampleValue(first, 'omnifuse_predictions_in_progress')).toBe(2);
    expect(sampleValue(second, 'omnifuse_queue_depth')).toBe(0);
    expect(sampleValue(second, 'omnifuse_http_requests_in_flight')).toBe(1);
    expect(sampleValue(second, 'omnifuse_predictions_in_progress')).toBe(0);
    // Rendering reads the counters without changing them.
    expect(sampleValue(second, REQUESTS, { route: '/v1/predict', method: 'POST', status: '200' })).toBe(1);
  });
});
