import { describe, expect, it } from 'vitest';
import { type CommandArgs, parseCommandArgs, UsageError } from './args.js';

const def: CommandArgs = {
  positionals: [{ name: 'config', description: '' }],
  options: {
    out: { type: 'string', short: 'o', description: '' },
    epochs: { type: 'string', integer: true, description: '' },
    format: { type: 'string', choices: ['jsonl', 'csv'], description: '' },
    resume: { type: 'boolean', description: '' },
  },
};

describe('parseCommandArgs', () => {
  it('reads positionals, strings, integers and flags', () => {
    const args = parseCommandArgs(def, ['c.json', '-o', 'out', '--epochs=3', '--resume']);
    expect(args.positionals).toEqual({ config: 'c.json' });
    expect(args.options).toMatchObject({ out: 'out', epochs: 3, resume: true });
    expect(args.help).toBe(false);
  });

  it('turns every mistake into a UsageError', () => {
    expect(() => parseCommandArgs(def, [])).toThrow(UsageError);
    expect(() => parseCommandArgs(def, ['a', 'b'])).toThrow(/unexpected argument "b"/);
    expect(() => parseCommandArgs(def, ['a', '--nope'])).toThrow(UsageError);
    expect(() => parseCommandArgs(def, ['a', '--epochs', '0'])).toThrow(/positive integer/);
    expect(() => parseCommandArgs(def, ['a', '--format', 'xml'])).toThrow(/jsonl, csv/);
  });

  it('lets --help through without positionals', () => {
    expect(parseCommandArgs(def, ['--help']).help).toBe(true);
  });
});
