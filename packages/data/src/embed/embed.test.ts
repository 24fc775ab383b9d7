import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embed2d, scatterSvg } from './index.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/select.json', import.meta.url), 'utf8'));
const iris = fixture.datasets.iris as { x: number[][]; y: number[] };

/** Leave-one-out k-nearest-neighbour accuracy of the labels in the 2-D embedding. */
function knnAccuracy(points: [number, number][], labels: number[], k = 5): number {
  let correct = 0;
  points.forEach((p, i) => {
    const nearest = points
      .map((q, j) => ({ j, d: (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 }))
      .filter(({ j }) => j !== i)
      .sort((a, b) => a.d - b.d)
      .slice(0, k);
    const votes = new Map<number, number>();
    for (const { j } of nearest) votes.set(labels[j]!, (votes.get(labels[j]!) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    if (best === labels[i]) correct++;
  });
  return correct / points.length;
}

describe('embed2d', () => {
  it('UMAP: same seed ⇒ same points; another seed differs; iris classes separate (kNN > 0.9)', () => {
    const a = embed2d(iris.x, { seed: 1 });
    expect(embed2d(iris.x, { seed: 1 })).toEqual(a);
    expect(embed2d(iris.x, { seed: 2 }).points).not.toEqual(a.points);
    expect(a.points).toHaveLength(150);
    expect(knnAccuracy(a.points, iris.y)).toBeGreaterThan(0.9);
  }, 30_000);
  it('PCA: classes of iris separate too', () => {
    const { points } = embed2d(iris.x, { method: 'pca' });
    expect(knnAccuracy(points, iris.y)).toBeGreaterThan(0.9);
  });
  it('refuses missing values, naming the row and column', () => {
    expect(() =>
      embed2d(
        [
          [1, 2],
          [3, Number.NaN],
          [4, 5],
        ],
        { method: 'pca' },
      ),
    ).toThrow(expect.objectContaining({ code: 'E_INPUT', record: 1, field: 'x1' }));
  });
});

describe('scatterSvg', () => {
  it('writes a titled SVG with one dot per point and a legend by label', () => {
    const svg = scatterSvg(
      [
        [0, 0],
        [1, 1],
        [2, 0],
      ],
      { labels: ['a', 'b<', 'a'], title: 'Iris & co' },
    );
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<title>Iris &amp; co</title>');
    expect(svg.match(/<circle/g)).toHaveLength(3 + 2);
    expect(svg).toContain('>b&lt;</text>');
    expect(svg).toContain('#E69F00');
    expect(svg).toContain('#56B4E9');
  });
});
