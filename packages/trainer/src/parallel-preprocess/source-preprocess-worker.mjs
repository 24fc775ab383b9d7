// Starts the TypeScript preprocessing thread from source (tests, `--conditions=@omnifuse/source`
// runs): Node 20 applies no `--import` loader to a worker's imports, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
const worker = await import(new URL('./preprocess-worker.ts', import.meta.url).href);
export default worker.default;
