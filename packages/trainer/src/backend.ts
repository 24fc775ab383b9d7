import type { BackendChoice } from '@omnifuse/core';
import { backendLabel, type SelectedBackend, selectBackend } from '@omnifuse/runtime';

export type { BackendChoice };

/**
 * The backend to run on: a choice, selected when the work starts, or a backend the caller already
 * selected (the CLI selects once, to say which runs, and passes it down), so a process selects once.
 */
export type BackendOption = BackendChoice | SelectedBackend;

/**
 * Activates the backend a spec or an option names (`auto` takes the best that loads: tfjs-node-gpu,
 * webgpu on a real GPU, tfjs-node, wasm, cpu) and returns tfjs's name for it. The backend is
 * process-wide.
 */
export async function useBackend(backend: BackendOption = 'auto'): Promise<string> {
  return (await useBackendWithLabel(backend)).tfjsBackend;
}

/** `useBackend`, also returning a line for logs: `webgpu (llvmpipe-…, software, compatibility)`. */
export async function useBackendWithLabel(
  backend: BackendOption = 'auto',
): Promise<{ tfjsBackend: string; label: string }> {
  const selected = typeof backend === 'string' ? await selectBackend(backend) : await reactivate(backend);
  return { tfjsBackend: selected.tfjsBackend, label: backendLabel(selected) };
}

/** A backend selected earlier, made current again if something switched away from it since. */
async function reactivate(selected: SelectedBackend): Promise<SelectedBackend> {
  if (selected.tf.getBackend() !== selected.tfjsBackend) await selected.tf.setBackend(selected.tfjsBackend);
  return selected;
}
