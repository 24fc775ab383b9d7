// Preloaded with `node --import` by invalid-records.test.ts: logs every path this process opens or
// reads through node:fs (sync, callback and promise APIs, and the ESM named exports), one per line,
// to $OMNIFUSE_FS_SPY_LOG, so a test can assert that no file outside the data root was opened.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const log = process.env.OMNIFUSE_FS_SPY_LOG;
const append = fs.appendFileSync;
let inside = false;

function record(api, file) {
  if (!log || inside) return;
  const name =
    typeof file === 'string'
      ? file
      : file instanceof URL
        ? file.pathname
        : Buffer.isBuffer(file)
          ? file.toString()
          : undefined;
  if (name === undefined) return;
  inside = true;
  try {
    append(log, `${api}\t${name}\n`);
  } finally {
    inside = false;
  }
}

function wrap(target, name, label) {
  const original = target[name];
  target[name] = function spied(file, ...rest) {
    record(label, file);
    return original.call(this, file, ...rest);
  };
}

for (const name of [
  'open',
  'openSync',
  'readFile',
  'readFileSync',
  'createReadStream',
  'opendir',
  'opendirSync',
]) {
  wrap(fs, name, name);
}
for (const name of ['open', 'readFile', 'opendir']) wrap(fs.promises, name, `promises.${name}`);
syncBuiltinESMExports();
