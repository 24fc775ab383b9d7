import type { AnyStep } from '../step.js';
import { decompositionSteps } from './decompose.js';
import { imputeSteps } from './impute.js';
import { powerSteps } from './power.js';
import { scaleSteps } from './scale.js';
import { selectionSteps } from './select.js';

/** Every built-in fit/transform step, by the order they are usually applied in. */
export const BUILTIN_STEPS: readonly AnyStep[] = [
  ...imputeSteps,
  ...powerSteps,
  ...scaleSteps,
  ...decompositionSteps,
  ...selectionSteps,
];
