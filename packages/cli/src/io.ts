/** Where a command writes and from where it resolves relative paths; injectable for tests. */
export interface CliIo {
  /** Results (JSON, predictions): what a script pipes on. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Messages and progress, so stdout stays clean. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}

/** Writes a line to a stream. */
export function line(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
