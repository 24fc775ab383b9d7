export type * from './encoder.js';
export type * from './feature.js';
export type * from './fusion.js';
export type * from './rng.js';
export type * from './task.js';
export type * from './trainer.js';
export { SPECIFICATION_VERSION, type PluginKind, type PluginV1 } from './plugin.js';
