import type { EncoderPluginV1 } from './encoder.js';
import type { FusionPluginV1 } from './fusion.js';
import type { TrainerPluginV1 } from './trainer.js';

/** Anything a registry holds. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds encoders of any raw and state types; `unknown` would reject them (parameters are contravariant).
export type PluginV1 = EncoderPluginV1<any, any> | FusionPluginV1 | TrainerPluginV1;
export type PluginKind = PluginV1['kind'];

/** The spec version this core implements; plugins declaring another are refused. */
export const SPECIFICATION_VERSION = 'v1' as const;
