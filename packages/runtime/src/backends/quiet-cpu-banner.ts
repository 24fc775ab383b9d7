import type { Tfjs } from '../kernels/kernel-types.js';

/**
 * In Node, tfjs's cpu backend prints a banner on its first tensor ("Hi, looks like you are running
 * TensorFlow.js in Node.js. To speed things up dramatically, install our node backend…"), checking
 * tfjs's `IS_NODE` flag. omnifuse chooses the backend on purpose and says which itself, so that first
 * tensor is written here with tfjs's `PROD` flag set (the one `tf.enableProdMode()` sets, under which
 * tfjs logs no warnings), and the flag is put back at once, so tfjs's later warnings still show.
 */
export function quietCpuBanner(tf: Tfjs): void {
  if (tf.findBackendFactory('cpu') === null) return;
  const env = tf.env();
  const prod = env.getBool('PROD');
  env.set('PROD', true);
  try {
    const cpu = tf.findBackend('cpu'); // created here if it was not yet
    if (cpu) cpu.disposeData(cpu.write(new Float32Array(1), [1], 'float32'));
  } finally {
    env.set('PROD', prod);
  }
}
