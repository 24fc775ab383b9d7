/** Imports a module by name; injectable so tests and bundlers can supply modules. */
export type ImportModule = (specifier: string) => Promise<unknown>;

/** The loader `selectBackend` and `describeWebgpuAdapter` share by default, so they share Dawn instances. */
export const importByName: ImportModule = (specifier) => import(specifier);

/** One line saying why a candidate did not load. */
export function failureReason(error: unknown, pkg: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // Node says "Cannot find package|module 'x'", vite "Could not resolve "x"". Only the package itself
  // missing counts: a missing file inside it (a native binding, say) has its own message.
  const quoted = message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`);
  if (quoted && /cannot find (package|module)|could not resolve/i.test(message)) {
    return `${pkg} is not installed`;
  }
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}
