const marker = Symbol.for('omnifuse.error');

/** Stable error codes; match on these, not on messages. */
export const ErrorCode = {
  InvalidConfig: 'E_CONFIG',
  InvalidOptions: 'E_OPTIONS',
  PluginNotFound: 'E_PLUGIN_NOT_FOUND',
  PluginLoad: 'E_PLUGIN_LOAD',
  DuplicatePlugin: 'E_PLUGIN_DUPLICATE',
  SpecVersion: 'E_SPEC_VERSION',
  PluginFailed: 'E_PLUGIN_FAILED',
  InvalidInput: 'E_INPUT',
  MissingField: 'E_MISSING_FIELD',
  PathOutsideRoot: 'E_PATH_OUTSIDE_ROOT',
  Manifest: 'E_MANIFEST',
  BackendUnavailable: 'E_BACKEND_UNAVAILABLE',
  Bundle: 'E_BUNDLE',
  Cache: 'E_CACHE',
  Training: 'E_TRAINING',
  /** The data check found invalid records and the policy is `onInvalid: "fail"`; `details.report` has them all. */
  InvalidData: 'E_INVALID_DATA',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface OmnifuseErrorFields {
  code: ErrorCode;
  message: string;
  /** Record id or row the error is about. */
  record?: string | number;
  /** Field (manifest column or config input) the error is about. */
  field?: string;
  /** Plugin id whose code raised it. */
  plugin?: string;
  /** Step of the plugin, e.g. `preprocess`. */
  step?: string;
  /** File involved, if any. */
  file?: string;
  /** Path inside a config, e.g. `inputs[0].encoder`. */
  path?: string;
  expected?: unknown;
  found?: unknown;
  /** Whatever else helps, e.g. `available` plugin ids. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type omnifuse throws on bad input, config or environment. */
export class OmnifuseError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly record?: string | number;
  readonly field?: string;
  readonly plugin?: string;
  readonly step?: string;
  readonly file?: string;
  readonly path?: string;
  readonly expected?: unknown;
  readonly found?: unknown;
  readonly details?: Record<string, unknown>;
  /** The message as given, without the location and expectation that `message` adds. */
  readonly reason: string;

  constructor(fields: OmnifuseErrorFields) {
    super(describe(fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'OmnifuseError';
    this.reason = fields.message;
    this.code = fields.code;
    this.record = fields.record;
    this.field = fields.field;
    this.plugin = fields.plugin;
    this.step = fields.step;
    this.file = fields.file;
    this.path = fields.path;
    this.expected = fields.expected;
    this.found = fields.found;
    this.details = fields.details;
  }

  /**
   * The same error with context filled in where this one has none (its own fields win), e.g. the
   * record and field a caller knows but the raising code did not; the message is rebuilt from them.
   */
  withContext(context: Omit<Partial<OmnifuseErrorFields>, 'message' | 'cause'>): OmnifuseError {
    return new OmnifuseError({ ...context, ...errorFields(this) });
  }

  /** True for any omnifuse error, even one from another copy of this package. */
  static isInstance(error: unknown): error is OmnifuseError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

const FIELD_KEYS = [
  'record',
  'field',
  'plugin',
  'step',
  'file',
  'path',
  'expected',
  'found',
  'details',
] as const;

/**
 * An error's fields, with its `reason` as the message and without undefined ones: spread them and
 * override what should change to re-raise it with another code or path.
 */
export function errorFields(error: OmnifuseError): OmnifuseErrorFields {
  const fields: OmnifuseErrorFields = { code: error.code, message: error.reason, cause: error.cause };
  for (const key of FIELD_KEYS) {
    if (error[key] !== undefined) (fields as unknown as Record<string, unknown>)[key] = error[key];
  }
  return fields;
}

function describe(f: OmnifuseErrorFields): string {
  const where = [
    f.plugin && `plugin ${f.plugin}${f.step ? `.${f.step}` : ''}`,
    f.record !== undefined && `record ${JSON.stringify(f.record)}`,
    f.field && `field "${f.field}"`,
    f.file && `file ${f.file}`,
    f.path && `at ${f.path}`,
  ].filter(Boolean);
  const prefix = where.length > 0 ? `[${where.join(', ')}] ` : '';
  const expectation =
    f.expected !== undefined || f.found !== undefined
      ? ` (expected ${show(f.expected)}, found ${show(f.found)})`
      : '';
  return `${prefix}${f.message}${expectation}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const text = JSON.stringify(value);
    return text && text.length > 120 ? `${text.slice(0, 117)}...` : String(text);
  } catch {
    return String(value);
  }
}

/**
 * Runs a plugin step and stamps any error that is not already an OmnifuseError with the plugin id,
 * the step and the record, so a user knows whose code failed on what.
 */
export async function inPluginStep<T>(
  where: { plugin: string; step: string; record?: string | number; field?: string; file?: string },
  run: () => T | Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw stampPluginError(error, where);
  }
}

/** Synchronous twin of {@link inPluginStep}. */
export function inPluginStepSync<T>(
  where: { plugin: string; step: string; record?: string | number; field?: string },
  run: () => T,
): T {
  try {
    return run();
  } catch (error) {
    throw stampPluginError(error, where);
  }
}

function stampPluginError(
  error: unknown,
  where: { plugin: string; step: string; record?: string | number; field?: string; file?: string },
): OmnifuseError {
  if (OmnifuseError.isInstance(error) && error.plugin !== undefined && error.record !== undefined)
    return error;
  return asPluginError(error, where);
}

/** Where a plugin raises an error, and optionally the code and config path it should carry. */
export interface PluginErrorContext {
  plugin: string;
  step: string;
  record?: string | number;
  field?: string;
  file?: string;
  /** Replaces the error's code, except `E_BACKEND_UNAVAILABLE`, which says what to install. */
  code?: ErrorCode;
  /** Replaces the error's config path (e.g. the option that led to it). */
  path?: string;
}

/**
 * An error as a plugin raises it: an OmnifuseError keeps its fields and gains the context it lacks
 * (`code` and `path`, when given, replace its own); anything else becomes `E_PLUGIN_FAILED`.
 */
export function asPluginError(error: unknown, where: PluginErrorContext): OmnifuseError {
  const { code, path, ...context } = where;
  if (!OmnifuseError.isInstance(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new OmnifuseError({ code: ErrorCode.PluginFailed, message, ...where, cause: error });
  }
  const keepCode = error.code === ErrorCode.BackendUnavailable;
  if (!(code && !keepCode) && !path) return error.withContext(context);
  return new OmnifuseError({
    ...errorFields(error.withContext(context)),
    ...(code && !keepCode ? { code } : {}),
    ...(path ? { path } : {}),
    cause: error,
  });
}
