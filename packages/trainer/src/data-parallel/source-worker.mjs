// Starts the TypeScript worker from source (tests, `--conditions=@omnifuse/source` runs): Node 20
// applies no `--import` loader to a worker's imports, so the worker registers tsx itself.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
