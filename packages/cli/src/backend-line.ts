import type { BackendChoice } from '@omnifuse/core';
import { backendLabel, type SelectedBackend, selectBackend } from '@omnifuse/runtime';

/**
 * Activates the backend up front, so the CLI can say which one runs (and why better ones did not)
 * before any work starts. The one selection of the process: commands pass `selected` down to
 * `train()`, `search()` and `fineTune()`, which use it as it is; `loadModel()` finds it active.
 */
export async function activateBackend(
  choice: BackendChoice,
): Promise<{ selected: SelectedBackend; text: string }> {
  const selected = await selectBackend(choice);
  const reasons = Object.entries(selected.reasons).map(([name, reason]) => `${name}: ${reason}`);
  const text =
    `backend ${backendLabel(selected)} (${selected.package} ${selected.version})` +
    (reasons.length > 0 ? `; not used: ${reasons.join('; ')}` : '');
  return { selected, text };
}
