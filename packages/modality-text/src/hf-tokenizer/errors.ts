import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Where a tokenizer came from (its file, or a label for an in-memory object), named in every error. */
export interface TokenizerSource {
  readonly file: string;
}

/**
 * A component this loader does not implement: refused at load with E_OPTIONS, so a tokenizer is
 * never run with a part silently skipped (which would give plausible but wrong ids).
 */
export function unsupported(source: TokenizerSource, path: string, what: string, found: unknown): never {
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `tokenizer.json: ${what} is not supported`,
    file: source.file,
    path,
    found,
  });
}

/** A tokenizer.json that is not what the `tokenizers` library writes (missing or mistyped field). */
export function malformed(
  source: TokenizerSource,
  path: string,
  message: string,
  expected: unknown,
  found: unknown,
): never {
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `tokenizer.json: ${message}`,
    file: source.file,
    path,
    expected,
    found,
  });
}

export type Json = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Typed readers for one component's fields: a missing optional field gives the fallback. */
export function fieldReader(source: TokenizerSource, json: Json, path: string) {
  const at = (key: string) => `${path}.${key}`;
  return {
    bool(key: string, fallback: boolean): boolean {
      const value = json[key];
      if (value === undefined || value === null) return fallback;
      if (typeof value !== 'boolean')
        malformed(source, at(key), `${key} must be a boolean`, 'boolean', value);
      return value;
    },
    optionalBool(key: string): boolean | null {
      const value = json[key];
      if (value === undefined || value === null) return null;
      if (typeof value !== 'boolean')
        malformed(source, at(key), `${key} must be a boolean`, 'boolean', value);
      return value;
    },
    string(key: string, fallback?: string): string {
      const value = json[key];
      if ((value === undefined || value === null) && fallback !== undefined) return fallback;
      if (typeof value !== 'string') malformed(source, at(key), `${key} must be a string`, 'string', value);
      return value;
    },
    optionalString(key: string): string | null {
      const value = json[key];
      if (value === undefined || value === null) return null;
      if (typeof value !== 'string') malformed(source, at(key), `${key} must be a string`, 'string', value);
      return value;
    },
    int(key: string, fallback?: number): number {
      const value = json[key];
      if ((value === undefined || value === null) && fallback !== undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        malformed(source, at(key), `${key} must be an integer ≥ 0`, 'an integer ≥ 0', value);
      return value;
    },
    list(key: string): readonly unknown[] {
      const value = json[key];
      if (!Array.isArray(value)) malformed(source, at(key), `${key} must be a list`, 'a list', value);
      return value;
    },
    object(key: string): Json {
      const value = json[key];
      if (!isObject(value)) malformed(source, at(key), `${key} must be an object`, 'an object', value);
      return value;
    },
  };
}

/** The `type` of a component object, checked to be a string. */
export function componentType(source: TokenizerSource, json: unknown, path: string): string {
  if (!isObject(json) || typeof json.type !== 'string') {
    malformed(source, path, 'a component is an object with a string "type"', '{ type: string, … }', json);
  }
  return json.type;
}
