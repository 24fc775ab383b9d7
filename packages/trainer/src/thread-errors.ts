import { errorFields, OmnifuseError, type OmnifuseErrorFields } from '@omnifuse/core';

/**
 * An error as it crosses to another thread: `postMessage` keeps an Error's message and stack but
 * not its own fields, so an OmnifuseError travels as its fields (message = its reason).
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** An OmnifuseError's fields (code, plugin, record, field, …). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export function serializeError(error: unknown): SerializedError {
  if (OmnifuseError.isInstance(error)) {
    return { name: error.name, message: error.reason, stack: error.stack, fields: omnifuseFields(error) };
  }
  const plain = error instanceof Error ? error : new Error(String(error));
  return { name: plain.name, message: plain.message, stack: plain.stack };
}

/** An OmnifuseError's fields without its cause, each one that `postMessage` cannot clone as its string. */
export function omnifuseFields(error: OmnifuseError): Record<string, unknown> {
  const { cause: _cause, ...fields } = errorFields(error);
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      try {
        structuredClone(value);
        return [key, value];
      } catch {
        return [key, String(value)];
      }
    }),
  );
}

/**
 * The error again on this side: an OmnifuseError rebuilt from its fields, else `otherwise(error)`
 * (an Error from another thread carries no code; the caller wraps it with where it happened).
 */
export function revivedError(error: SerializedError, otherwise: (error: SerializedError) => Error): Error {
  if (error.fields && typeof error.fields.code === 'string') {
    return new OmnifuseError({ ...(error.fields as unknown as OmnifuseErrorFields), message: error.message });
  }
  return otherwise(error);
}
