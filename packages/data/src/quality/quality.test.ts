import { describe, expect, it } from 'vitest';
import { compareQuality, qualityReport, qualitySvg, renderQualityReport } from './index.js';

const truth = [
  { id: 'a', price: 10, colour: 'red' },
  { id: 'b', price: 20, colour: 'blue' },
  { id: 'c', price: 30, colour: 'green' },
];
const before = [
  { id: 'a', source: 'shop', price: 10, colour: 'red' },
  { id: 'a', source: 'feed', price: 12, colour: 'red' },
  { id: 'b', source: 'shop', price: null, colour: 'blue' },
  { id: 'b', source: 'feed', price: 20.001, colour: '' },
  { id: 'c', source: 'feed', price: 31, colour: 'green' },
];
const after = [
  { id: 'a', price: 10, colour: 'red' },
  { id: 'b', price: 20.001, colour: 'blue' },
  { id: 'c', price: 31, colour: 'green' },
];
const options = { fields: ['price', 'colour'], key: 'id', truth, tolerance: 0.01 };

describe('qualityReport', () => {
  it('measures completeness, consistency, accuracy and uniqueness', () => {
    const report = qualityReport(before, { ...options, sources: 'source' });
    expect(report.records).toBe(5);
    expect(report.uniqueness).toBeCloseTo(3 / 5, 12);
    expect(report.duplicatedKeys).toBe(2);
    expect(report.fields.price).toMatchObject({ completeness: 0.8, entities: 3, conflicting: 1, checked: 4 });
    expect(report.fields.price!.consistency).toBeCloseTo(2 / 3, 12);
    // 10 ✓, 12 ✗, 20.001 ✓ (within tolerance), 31 ✗
    expect(report.fields.price!.accuracy).toBe(0.5);
    expect(report.fields.price!.bySource).toEqual({ shop: 0.5, feed: 1 });
    expect(report.fields.colour).toMatchObject({ completeness: 0.8, consistency: 1, accuracy: 1 });
    expect(report.conflicts).toEqual([{ key: 'a', field: 'price', values: [10, 12] }]);
  });

  it('without key or truth, leaves those metrics null', () => {
    const report = qualityReport(before, { fields: ['price'] });
    expect(report.uniqueness).toBeNull();
    expect(report.fields.price).toMatchObject({ completeness: 0.8, consistency: null, accuracy: null });
  });

  it('refuses records without a key and truth without a key field', () => {
    expect(() => qualityReport([{ price: 1 }], { fields: ['price'], key: 'id' })).toThrow(/no key "id"/);
    expect(() => qualityReport(before, { fields: ['price'], truth })).toThrow(/needs `key`/);
    expect(() => qualityReport([], { fields: ['price'] })).toThrow(/no records/);
  });
});

describe('compareQuality and rendering', () => {
  const comparison = compareQuality(qualityReport(before, options), qualityReport(after, options));

  it('computes deltas per field', () => {
    expect(comparison.records).toEqual({ before: 5, after: 3, delta: -2 });
    expect(comparison.fields.price!.completeness.delta).toBeCloseTo(0.2, 12);
    expect(comparison.fields.price!.accuracy.after).toBeCloseTo(2 / 3, 12);
    expect(comparison.uniqueness.after).toBe(1);
  });

  it('renders markdown tables', () => {
    const markdown = renderQualityReport(comparison);
    expect(markdown).toContain('| price | 80.0% → 100.0% (+20.0 pts) |');
    expect(renderQualityReport(qualityReport(before, options))).toContain(
      '| price | 80.0% | 66.7% | 1/3 | 50.0% | 4 |',
    );
  });

  it('draws a self-contained SVG with a title and before/after bars', () => {
    const svg = qualitySvg(comparison, { metric: 'accuracy', title: 'Accuracy <before & after>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>Accuracy &lt;before &amp; after&gt;</title>');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4);
    expect(svg).toContain('price after: 66.7%');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // without truth, accuracy is unknown: no bars, still a valid chart
    const unknown = compareQuality(
      qualityReport(before, { fields: ['price'] }),
      qualityReport(after, { fields: ['price'] }),
    );
    expect(qualitySvg(unknown, { metric: 'accuracy' }).match(/<rect [^>]*><title>/g)).toBeNull();
  });
});
