import { parseArgs } from 'node:util';

/** A command-line option of one command. */
export interface OptionDef {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder shown in help, e.g. `<dir>`. */
  readonly value?: string;
  readonly description: string;
  /** Parse the value as a positive integer. */
  readonly integer?: boolean;
  /** Allowed values, checked here and listed in help. */
  readonly choices?: readonly string[];
}

export interface PositionalDef {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

/** A command's arguments as the help text and the parser both read them. */
export interface CommandArgs {
  readonly positionals: readonly PositionalDef[];
  readonly options: Readonly<Record<string, OptionDef>>;
}

export type ParsedValue = string | boolean | number | undefined;

export interface ParsedArgs {
  readonly positionals: Readonly<Record<string, string | undefined>>;
  readonly options: Readonly<Record<string, ParsedValue>>;
  readonly help: boolean;
}

/** A mistake in how the command was called; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses one command's arguments with Node's `util.parseArgs` (strict: unknown options and missing
 * values are usage errors), then checks positionals, integers and choices.
 */
export function parseCommandArgs(def: CommandArgs, argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(def.options)) {
    options[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\.? To specify a positional.*$/s, ''));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  const positionals: Record<string, string | undefined> = {};
  if (!help) {
    if (parsed.positionals.length > def.positionals.length) {
      throw new UsageError(`unexpected argument "${parsed.positionals[def.positionals.length]}"`);
    }
    def.positionals.forEach((p, i) => {
      const value = parsed.positionals[i];
      if (value === undefined && !p.optional) throw new UsageError(`missing <${p.name}>`);
      positionals[p.name] = value;
    });
  }
  const out: Record<string, ParsedValue> = {};
  for (const [name, option] of Object.entries(def.options)) {
    const value = values[name];
    if (value === undefined || typeof value === 'boolean') {
      out[name] = value;
      continue;
    }
    if (option.choices && !option.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${option.choices.join(', ')} (got "${value}")`);
    }
    if (option.integer) {
      if (!/^\d+$/.test(value) || Number(value) < 1) {
        throw new UsageError(`--${name} must be a positive integer (got "${value}")`);
      }
      out[name] = Number(value);
    } else out[name] = value;
  }
  return { positionals, options: out, help };
}

/** Typed reads of parsed options, so commands need no casts. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberOption(args: ParsedArgs, name: string): number | undefined {
  const value = args.options[name];
  return typeof value === 'number' ? value : undefined;
}

/** `--workers <n|auto>`: a positive integer or `auto`; absent: undefined (the config decides). */
export function workersOption(args: ParsedArgs): 'auto' | number | undefined {
  const value = stringOption(args, 'workers');
  if (value === undefined) return undefined;
  if (value === 'auto') return 'auto';
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--workers must be a positive integer or auto, not "${value}"`);
  return count;
}

/** `--jobs <n|auto>`: preprocessing threads, a positive integer or `auto`; absent: undefined (auto). */
export function jobsOption(args: ParsedArgs): 'auto' | number | undefined {
  const value = stringOption(args, 'jobs');
  if (value === undefined || value === 'auto') return value;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--jobs must be a positive integer or auto, not "${value}"`);
  return count;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

export function positional(args: ParsedArgs, name: string): string {
  const value = args.positionals[name];
  if (value === undefined) throw new UsageError(`missing <${name}>`);
  return value;
}
