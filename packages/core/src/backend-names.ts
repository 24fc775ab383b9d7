import { z } from 'zod';

/**
 * The backends omnifuse can run on, best first. The one list: the model spec validates against it
 * without loading any backend, and `@omnifuse/runtime`, the CLI and the trainer derive theirs from it.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a spec or an option may ask for: a backend by name, or `auto` (the best that loads). */
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export const backendChoiceSchema = z.enum(BACKEND_CHOICES);
