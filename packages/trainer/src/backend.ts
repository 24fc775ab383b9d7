import { type BackendChoice, backendLabel, selectBackend } from '@omnifuse/core';

export type { BackendChoice };

/**
 * Activates the backend a spec or an option names (`auto` takes the best that loads: tfjs-node-gpu,
 * webgpu on a real GPU, tfjs-node, wasm, cpu) and returns tfjs's name for it. The backend is
 * process-wide.
 */
export async function useBackend(choice: BackendChoice = 'auto'): Promise<string> {
  return (await useBackendWithLabel(choice)).tfjsBackend;
}

/** `useBackend`, also returning a line for logs: `webgpu (llvmpipe-…, software, compatibility)`. */
export async function useBackendWithLabel(
  choice: BackendChoice = 'auto',
): Promise<{ tfjsBackend: string; label: string }> {
  const selected = await selectBackend(choice);
  return { tfjsBackend: selected.tfjsBackend, label: backendLabel(selected) };
}
