export type * from './check.js';
export type * from './encoder.js';
export type * from './feature.js';
export type * from './fusion.js';
export type * from './measure.js';
export { type PluginKind, type PluginV1, SPECIFICATION_VERSION } from './plugin.js';
export type * from './rng.js';
export type * from './task.js';
export type * from './trainer.js';
