import type { CommandDef } from './commands.js';
import { COMMANDS } from './commands.js';

export function programHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `omnifuse ${version}: train and use multimodal models from the command line`,
    '',
    'Usage: omnifuse <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "omnifuse <command> --help" for its options.',
    'Exit codes: 0 success, 1 failure (the message names the file, field or record), 2 usage error.',
    '',
  ].join('\n');
}

export function commandHelp(command: CommandDef): string {
  const usage = [
    `omnifuse ${command.name}`,
    ...command.positionals.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`)),
    Object.keys(command.options).length > 0 ? '[options]' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const rows: [string, string][] = [
    ...command.positionals.map((p): [string, string] => [`<${p.name}>`, p.description]),
    ...Object.entries(command.options).map(([name, o]): [string, string] => [
      `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`,
      o.choices ? `${o.description} [${o.choices.join('|')}]` : o.description,
    ]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `${command.summary}`,
    '',
    `Usage: ${usage}`,
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    ...command.details.flatMap((paragraph) => [wrap(paragraph, 100), '']),
  ].join('\n');
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  return lines.join('\n');
}
