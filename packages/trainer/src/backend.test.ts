import type { SelectedBackend, Tfjs } from '@omnifuse/runtime';
import { describe, expect, it, vi } from 'vitest';
import { useBackendWithLabel } from './backend.js';

const { selectBackend } = vi.hoisted(() => ({ selectBackend: vi.fn() }));
vi.mock('@omnifuse/runtime', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@omnifuse/runtime')>()),
  selectBackend,
}));

/** A selection made earlier in the process (by the CLI, say), on a tfjs whose current backend is `current`. */
function selectedEarlier(current: string) {
  const tf = { getBackend: vi.fn(() => current), setBackend: vi.fn(async () => true) };
  const selected = {
    name: 'cpu',
    tf: tf as unknown as Tfjs,
    tfjsBackend: 'cpu',
    package: '@tensorflow/tfjs',
    version: '4.22.0',
    reasons: {},
    kernels: [],
  } satisfies SelectedBackend;
  return { selected, tf };
}

describe('useBackendWithLabel', () => {
  it('uses a backend selected earlier as it is: one selection per process', async () => {
    const { selected, tf } = selectedEarlier('cpu');
    expect(await useBackendWithLabel(selected)).toEqual({ tfjsBackend: 'cpu', label: 'cpu' });
    expect(selectBackend).not.toHaveBeenCalled();
    expect(tf.setBackend).not.toHaveBeenCalled();
  });

  it('makes a backend selected earlier current again, without selecting, if something switched away', async () => {
    const { selected, tf } = selectedEarlier('wasm');
    await useBackendWithLabel(selected);
    expect(tf.setBackend).toHaveBeenCalledWith('cpu');
    expect(selectBackend).not.toHaveBeenCalled();
  });

  it('selects a backend given by name', async () => {
    selectBackend.mockResolvedValueOnce(selectedEarlier('cpu').selected);
    await useBackendWithLabel('cpu');
    expect(selectBackend).toHaveBeenCalledWith('cpu');
  });
});
