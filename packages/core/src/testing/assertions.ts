import { expect, it, type TestContext } from 'vitest';
import { OmnifuseError } from '../errors.js';

/**
 * Registers one check as a test, or as a skipped test whose name carries the reason, so a plugin's
 * skips are explicit and visible in every report.
 */
export function registerCheck<K extends string>(
  skip: Partial<Record<K, string>> | undefined,
  timeout: number,
): (key: K, title: string, run: (ctx: TestContext) => Promise<void>) => void {
  return (key, title, run) => {
    const reason = skip?.[key];
    if (reason) it.skip(`${title} (skipped: ${reason})`, run);
    else it(title, run, timeout);
  };
}

export function expectOmnifuseError(error: unknown, what: string): asserts error is OmnifuseError {
  expect(error, `${what} should throw`).toBeDefined();
  expect(
    OmnifuseError.isInstance(error),
    `${what} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}, not an OmnifuseError`,
  ).toBe(true);
}

export function catchSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

export async function catchAsync(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The plugin-object checks both encoder and fusion suites share. */
export function expectPluginBasics(plugin: { packageName?: unknown; description?: unknown }): void {
  if (plugin.packageName !== undefined)
    expect(typeof plugin.packageName, 'plugin.packageName').toBe('string');
  if (plugin.description !== undefined)
    expect(typeof plugin.description, 'plugin.description').toBe('string');
}

export function expectConfigured(
  configured: { specificationVersion: unknown; id: unknown; version: unknown; options: unknown },
  pluginId: string,
): void {
  expect(configured.specificationVersion).toBe('v1');
  expect(configured.id, 'the configured id is the plugin id').toBe(pluginId);
  expect(typeof configured.version === 'string' && configured.version.length > 0, 'version').toBe(true);
  expect(JSON.parse(JSON.stringify(configured.options)), 'options are plain JSON').toEqual(
    configured.options,
  );
}

export function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
