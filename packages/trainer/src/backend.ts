import { type BackendChoice, selectBackend } from '@omnifuse/core';

export type { BackendChoice };

/**
 * Activates the backend a spec or an option names (`auto` takes the best that loads: tfjs-node-gpu,
 * tfjs-node, wasm, cpu) and returns tfjs's name for it. The backend is process-wide.
 */
export async function useBackend(choice: BackendChoice = 'auto'): Promise<string> {
  const selected = await selectBackend(choice);
  return selected.tfjsBackend;
}
