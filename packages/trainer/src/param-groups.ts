import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';

/** Weights trained at their own base learning rate, like a PyTorch param group. */
export interface ParamGroup {
  /** Weight-name globs (`*` any run of characters, `/` included; `?` one character). */
  readonly weights: readonly string[];
  /** The group's base rate; the schedule scales it as it scales `training.learningRate`. */
  readonly learningRate: number;
}

export const paramGroupSchema = z
  .object({
    weights: z.array(z.string().min(1)).min(1),
    learningRate: z.number().min(0).finite(),
  })
  .strict();

/** A glob over layer or weight names as a whole-name regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/**
 * Per weight, the factor its learning rate is `training.learningRate` times: the group's rate over
 * the base rate for the first group that matches its name, 1 for a weight no group matches. A group
 * matching none of `weightNames` is an error listing them, since it would silently do nothing.
 */
export function paramGroupScales(
  weightNames: readonly string[],
  groups: readonly ParamGroup[],
  baseLearningRate: number,
  plugin: string,
): number[] {
  const matchers = groups.map((group) => group.weights.map(globToRegExp));
  groups.forEach((group, g) => {
    if (!weightNames.some((name) => matchers[g]!.some((re) => re.test(name)))) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: `param group ${g} matches no trainable weight`,
        plugin,
        path: `paramGroups[${g}].weights`,
        expected: weightNames,
        found: group.weights,
      });
    }
  });
  return weightNames.map((name) => {
    const g = matchers.findIndex((res) => res.some((re) => re.test(name)));
    return g < 0 ? 1 : groups[g]!.learningRate / baseLearningRate;
  });
}
