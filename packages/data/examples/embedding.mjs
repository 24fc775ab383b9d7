// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/embedding.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { embed2d, scatterSvg } from '@omnifuse/data';

// Three noisy clusters in 5 dimensions, embedded in 2-D with seeded UMAP and drawn as an SVG string.
const rows = [];
const labels = [];
for (let i = 0; i < 90; i++) {
  const cluster = i % 3;
  rows.push(Array.from({ length: 5 }, (_, d) => (d === cluster ? 5 : 0) + Math.sin(i * (d + 1.3))));
  labels.push(`cluster ${cluster}`);
}
const { points } = embed2d(rows, { method: 'umap', seed: 42, nNeighbors: 10, minDist: 0.1 });
const svg = scatterSvg(points, { labels, title: 'UMAP of three clusters' });
console.log('points:', points.length, 'first:', points[0].map((v) => v.toFixed(2)).join(', '));
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/embedding.svg', import.meta.url), svg);
console.log('wrote examples/out/embedding.svg');
