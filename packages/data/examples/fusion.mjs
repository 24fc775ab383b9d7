// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/fusion.mjs
import { fuseRecords, loadStacker, stackPredictions } from '@omnifuse/data';

// Three feeds report on the same weather stations (already matched into groups).
const groups = [
  {
    official: { station: 'Oslo-Blindern', elevation: 94, temp: 14.2, at: '2024-06-01T12:00Z' },
    community: { station: 'Oslo Blindern (UiO)', elevation: 96, temp: 15.3, at: '2024-06-01T12:10Z' },
    satellite: { station: 'oslo', temp: 13.6, at: '2024-06-01T11:00Z' },
  },
  {
    official: { station: 'Bergen-Florida', elevation: null, temp: 11.0, at: '2024-06-01T12:00Z' },
    community: { station: 'Bergen Florida', elevation: 12, temp: 11.0, at: '2024-06-01T11:40Z' },
  },
  {
    community: { station: 'Tromsø', elevation: 100, temp: 6.1, at: '2024-06-01T12:05Z' },
    satellite: { station: 'tromso', temp: 4.2 },
  },
];

// Where there is no official reading, combine the others. History with the true temperature:
// community reads ~1 °C warm, satellite is noisy; stacking learns how to weigh them (ridge, 5 folds).
let seed = 7;
const noise = () => {
  seed = (seed * 16807) % 2147483647;
  return (seed / 2147483647 - 0.5) * 2;
};
const truth = Array.from({ length: 200 }, (_, i) => 8 + 6 * Math.sin(i / 9) + noise());
const stacker = stackPredictions(
  {
    community: truth.map((t) => t + 1 + 0.5 * noise()),
    satellite: truth.map((t) => t + 1.5 * noise()),
  },
  truth,
  { metaModel: 'ridge', seed: 1 },
);
const rmse = Object.entries(stacker.cv.perSource)
  .map(([s, v]) => `${s} ${v.toFixed(2)}`)
  .join(', ');
console.log(
  `out-of-fold RMSE: stacker ${stacker.cv.stacker.toFixed(2)} vs ${rmse} (weights ${stacker.model.weights[0].map((w) => w.toFixed(2)).join(', ')})`,
);

// Rules first: the longest name, the official elevation, the official temperature; a group without
// one is left unresolved by that rule, and the stacker predicts it from the other feeds' readings.
const fused = fuseRecords(groups, {
  sources: {
    official: { priority: 3, timestampField: 'at' },
    community: { priority: 2, timestampField: 'at' },
    satellite: { priority: 1 },
  },
  defaultRule: 'priority',
  fields: {
    station: 'longest',
    temp: (candidates) => candidates.find((c) => c.source === 'official')?.value,
    at: 'most-recent',
  },
  models: { temp: stacker },
});
fused.records.forEach((r, i) => {
  const how = Object.entries(fused.provenance[i])
    .map(([f, p]) => `${f}←${p.sources.join('+')}`)
    .join(' ');
  console.log(`${r.station}: ${r.elevation ?? '?'} m, ${Number(r.temp).toFixed(1)} °C  [${how}]`);
});
console.log(`${fused.conflicts.length} conflicting fields resolved, ${fused.unresolved.length} unresolved`);
// The stacker is plain JSON: save it, load it elsewhere, predict the same.
const reloaded = loadStacker(JSON.parse(JSON.stringify(stacker)));
console.log(
  'reloaded stacker, Tromsø:',
  reloaded.predictOne({ community: 6.1, satellite: 4.2 }).toFixed(2),
  '°C',
);
