import type { ParsedArgs } from './args.js';
import { type CliIo, line } from './io.js';

/** Placeholder until the HTTP serving package exists. */
export async function runServe(_args: ParsedArgs, io: CliIo): Promise<number> {
  line(
    io.stderr,
    'omnifuse serve: not available yet: the HTTP serving package does not exist in this release. ' +
      'Use "omnifuse predict <bundle> --data <manifest>" for batch predictions, or loadModel() from @omnifuse/trainer in your own server.',
  );
  return 1;
}
