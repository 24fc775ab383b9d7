import { type DataCheckReport, ErrorCode, formatCheckReport, OmnifuseError } from '@omnifuse/core';
import { parseCommandArgs, UsageError } from './args.js';
import { findCommand } from './commands.js';
import { commandHelp, programHelp } from './help.js';
import { type CliIo, line, processIo } from './io.js';
import { cliVersion } from './versions.js';

/** Exit codes: success, a failure the message explains, a mistake in how the CLI was called. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Runs `omnifuse <argv…>` and returns the exit code; never throws. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
    io.stdout.write(topic ? commandHelp(topic) : programHelp(cliVersion()));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    line(io.stdout, cliVersion());
    return EXIT.ok;
  }
  const command = findCommand(name);
  if (!command) {
    line(io.stderr, `omnifuse: unknown command "${name}"`);
    io.stderr.write(programHelp(cliVersion()));
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const execute = await command.load();
    return (await execute(args, io)) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      line(io.stderr, `omnifuse ${name}: ${error.message}`);
      line(io.stderr, `Run "omnifuse ${name} --help" for usage.`);
      return EXIT.usage;
    }
    line(io.stderr, formatError(name, error));
    return EXIT.failure;
  }
}

/**
 * One error as a user reads it: an OmnifuseError's code and message (which names the file, config path,
 * field and record), then any further config issues; other errors by message, with the stack only
 * when OMNIFUSE_DEBUG is set.
 */
export function formatError(command: string, error: unknown): string {
  if (OmnifuseError.isInstance(error)) {
    const out = [`omnifuse ${command}: error ${error.code}: ${error.message}`];
    const report =
      error.code === ErrorCode.InvalidData ? (error.details?.report as DataCheckReport) : undefined;
    // Every invalid record, not only the first: the point of the check.
    if (report?.findings) out.unshift(formatCheckReport(report));
    const issues = error.details?.issues;
    if (Array.isArray(issues) && issues.length > 1) {
      for (const issue of issues.slice(1, 10) as { path?: string; message?: string }[]) {
        out.push(`  also at ${issue.path}: ${issue.message}`);
      }
    }
    if (process.env.OMNIFUSE_DEBUG && error.stack) out.push(error.stack);
    return out.join('\n');
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = process.env.OMNIFUSE_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  return `omnifuse ${command}: error: ${message}${stack}`;
}
