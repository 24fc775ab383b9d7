// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/two-sources.mjs
// Two feeds describe the same products: the shop's catalogue (SKU ids, clean names, but stale prices
// and missing weights) and a marketplace scrape (its own listing ids, typo'd names, fresher prices,
// sloppier categories). Match them fuzzily, fuse them by rules, and measure quality against the truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  COMPANY_STOP_WORDS,
  compareQuality,
  fuseRecords,
  groupsFromMatches,
  matchRecords,
  normalizeKey,
  qualityReport,
  qualitySvg,
  renderQualityReport,
} from '@omnifuse/data';

// --- a small, seeded world: 52 products and what each feed says about them ---------------------
let seed = 20240601;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const brands = ['Acme', 'Borealis', 'Corvid', 'Dynamo', 'Everline', 'Fjordane', 'Granite', 'Helix'];
const kinds = [
  ['Cordless Drill 18V', 'tools', 1.6],
  ['Desk Lamp LED', 'home', 0.9],
  ['Espresso Machine', 'kitchen', 4.2],
  ['Running Shoes', 'sport', 0.6],
  ['Water Bottle 750ml', 'sport', 0.3],
  ['Backpack 30L', 'outdoor', 1.1],
  ['Wireless Mouse', 'electronics', 0.1],
  ['Mechanical Keyboard', 'electronics', 0.9],
  ['Yoga Mat', 'sport', 1.4],
  ['Electric Kettle', 'kitchen', 1.2],
  ['Noise Cancelling Headphones', 'electronics', 0.3],
  ['Smart Thermostat', 'home', 0.4],
  ['Camping Tent 2P', 'outdoor', 2.3],
  ['Office Chair', 'home', 12.5],
];
const truth = [];
const seen = new Set();
while (truth.length < 52) {
  const brand = pick(brands);
  const [kind, category, weight] = pick(kinds);
  if (seen.has(brand + kind)) continue;
  seen.add(brand + kind);
  const n = truth.length + 1;
  truth.push({
    sku: `SKU-${String(n).padStart(4, '0')}`,
    listingId: `mp-${(n * 37) % 101}`,
    name: `${brand} ${kind}`,
    brand,
    category,
    price: Math.round((15 + random() * 250) * 100) / 100,
    weightKg: Math.round(weight * (0.8 + random() * 0.4) * 100) / 100,
  });
}
const typo = (text) => {
  const i = 1 + Math.floor(random() * (text.length - 2));
  const variants = [
    () => text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2), // swapped letters
    () => text.slice(0, i) + text.slice(i + 1), // dropped letter
    () => text.toUpperCase(),
    () => text.replace(/ /g, '-').toLowerCase(),
  ];
  return pick(variants)();
};
const oldPrice = (price) => Math.round(price * (0.85 + random() * 0.1) * 100) / 100;
const synonyms = {
  electronics: 'computers',
  home: 'furniture',
  kitchen: 'appliances',
  sport: 'fitness',
  outdoor: 'camping',
  tools: 'diy',
};

// catalogue: right names and categories; 40% of prices stale (not updated since January); weights often missing
const catalogue = truth.slice(0, 49).map((p) => {
  const stale = random() < 0.4;
  return {
    sku: p.sku,
    name: p.name,
    brand: p.brand,
    category: p.category,
    price: random() < 0.08 ? null : stale ? oldPrice(p.price) : p.price,
    priceUpdated: stale
      ? `2024-01-${10 + Math.floor(random() * 18)}`
      : `2024-05-${10 + Math.floor(random() * 18)}`,
    weightKg: random() < 0.3 ? null : p.weightKg,
  };
});
// marketplace: its own ids, typo'd names, mostly fresh prices (15% stale), 20% sloppy categories
const marketplace = truth.slice(4).map((p) => {
  const stale = random() < 0.15;
  return {
    listingId: p.listingId,
    name: typo(p.name),
    brand: random() < 0.3 ? p.brand.toUpperCase() : p.brand,
    category: random() < 0.2 ? synonyms[p.category] : p.category,
    price: stale ? oldPrice(p.price) : p.price,
    scrapedAt: stale
      ? `2023-12-${10 + Math.floor(random() * 18)}`
      : `2024-05-${20 + Math.floor(random() * 9)}`,
    weightKg: random() < 0.5 ? p.weightKg : null,
  };
});
console.log(`catalogue: ${catalogue.length} records (e.g. ${catalogue[5].sku} "${catalogue[5].name}")`);
console.log(
  `marketplace: ${marketplace.length} records (e.g. ${marketplace[1].listingId} "${marketplace[1].name}")`,
);

// --- 1. match: Jaro–Winkler on brand + name, compared only within a brand -----------------------
const match = matchRecords(catalogue, marketplace, {
  key: ['brand', 'name'],
  method: 'jaro-winkler',
  threshold: 0.9,
  stopWords: [...COMPANY_STOP_WORDS],
  blocking: (r) => normalizeKey(String(r.brand)),
});
const answer = new Map(truth.map((p) => [p.sku, p.listingId]));
const correct = match.matches.filter((m) => answer.get(m.left.sku) === m.right.listingId).length;
console.log(
  `matched ${match.matches.length} pairs (${correct} correct per the answer key), ${match.ambiguous.length} ambiguous, ` +
    `${match.unmatchedLeft.length} catalogue-only, ${match.unmatchedRight.length} marketplace-only`,
);

// --- 2. fuse: trust the catalogue for names and categories, the freshest price, any weight -------
const groups = groupsFromMatches(match, 'catalogue', 'marketplace');
const fused = fuseRecords(groups, {
  sources: {
    catalogue: { priority: 2, timestampField: 'priceUpdated' },
    marketplace: { priority: 1, timestampField: 'scrapedAt' },
  },
  defaultRule: 'priority',
  fields: { price: 'most-recent' },
  outputFields: ['name', 'brand', 'category', 'price', 'weightKg'],
});
const keyOf = (group) => group.catalogue?.sku ?? group.marketplace.listingId;
const after = fused.records.map((record, i) => ({ key: keyOf(groups[i]), ...record }));
const priceConflicts = fused.conflicts.filter((c) => c.field === 'price').length;
const priceFrom = (source) => fused.provenance.filter((p) => p.price?.sources[0] === source).length;
console.log(
  `fused ${after.length} products; resolved ${fused.conflicts.length} conflicting fields (${priceConflicts} prices, by most recent); ` +
    `prices from catalogue ${priceFrom('catalogue')}, marketplace ${priceFrom('marketplace')}`,
);

// --- 3. quality before (both feeds, each record keyed by its matched entity) and after -----------
// Why the numbers move: completeness — one feed fills the other's gaps (weights, missing prices);
// accuracy — names and categories come from the catalogue, prices from whichever feed is fresher;
// consistency and uniqueness — one record per product, its conflicts resolved (see `provenance`).
const before = groups.flatMap((group) =>
  Object.entries(group).map(([source, record]) => ({ key: keyOf(group), source, ...record })),
);
const truthByKey = truth.map((p) => ({ ...p, key: p.sku }));
// a marketplace-only product has no SKU in our data: the truth table knows it by listing id
for (const r of match.unmatchedRight) truthByKey.find((p) => p.listingId === r.listingId).key = r.listingId;
const options = {
  fields: ['name', 'category', 'price', 'weightKg'],
  key: 'key',
  truth: truthByKey,
  tolerance: 0.005,
};
const report = qualityReport(before, options);
console.log('\nBefore fusion:');
console.log(renderQualityReport(report));
console.log('\nBefore → after fusion:');
const comparison = compareQuality(report, qualityReport(after, options));
console.log(renderQualityReport(comparison));
// The same comparison as a picture, for a report or a README.
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./out/two-sources-quality.svg', import.meta.url),
  qualitySvg(comparison, { metric: 'accuracy' }),
);
console.log('\nwrote examples/out/two-sources-quality.svg');
