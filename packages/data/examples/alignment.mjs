// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/alignment.mjs
import { aggregateWindows, alignNearest, alignStreams } from '@omnifuse/data';

// A 1 Hz thermometer with an outage, a GPS speed at irregular times, and 3-axis acceleration at ~4 Hz (seconds).
const temperature = {
  name: 'temp',
  times: [0, 1, 2, 3, 7, 8, 9, 10],
  values: [20.1, 20.2, 20.4, 20.5, 21.3, 21.4, 21.4, 21.6],
};
const speed = { name: 'speed', times: [0.3, 2.9, 4.1, 6.6, 9.8], values: [3.1, 3.4, 3.9, 4.4, 4.1] };
const accel = {
  name: 'accel',
  times: Array.from({ length: 41 }, (_, i) => i * 0.25),
  values: Array.from({ length: 41 }, (_, i) => [Math.sin(i / 4), Math.cos(i / 4), 9.81]),
};

// Like pandas.merge_asof: the last speed at or before each temperature reading, at most 1.5 s old.
const asof = alignNearest(temperature, speed, { direction: 'backward', tolerance: 1.5 });
console.log(
  'speed as of each temperature reading:',
  asof.stream.values.join(', '),
  `(${asof.unmatched} unmatched)`,
);

// One table at 1 Hz: interpolate, but not across gaps over 3.5 s (the thermometer outage).
const table = alignStreams([temperature, speed, accel], { rate: 1, method: 'linear', tolerance: 3.5 });
console.log(
  'columns:',
  Object.keys(table.columns).join(', '),
  `— ${table.report.completeRows}/${table.report.rows} complete rows`,
);
console.log(
  'temp at 5 s:',
  table.columns.temp[5],
  '| temp gaps:',
  JSON.stringify(table.report.columns.temp.gaps),
);

// Mean acceleration per 2-second window.
const windows = aggregateWindows(accel, { window: 2, reducer: 'mean' });
console.log('first 2 s window mean:', windows.stream.values[0].map((v) => v.toFixed(3)).join(', '));
