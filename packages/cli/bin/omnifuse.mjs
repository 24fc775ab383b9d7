#!/usr/bin/env node
// The `omnifuse` command. An installed package runs its build (dist/cli.js). A fresh clone of the
// repository has no dist/ until `npm run build`, yet npm links a workspace bin only when the file
// exists at install time: this committed stub is that file, and without a build it runs the
// TypeScript source through tsx, workspace packages resolved from source (`@omnifuse/source`), in a
// child node that carries those flags (as the tests run it, worker threads included).
// OMNIFUSE_CLI_FROM_SOURCE=1 runs the source even when dist/ exists.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
const source = new URL('../src/cli.ts', import.meta.url);
const fromSource = process.env.OMNIFUSE_CLI_FROM_SOURCE === '1' || !existsSync(built);

if (!fromSource) {
  await import(built.href);
} else {
  runSource();
}

function runSource() {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    tsx = undefined;
  }
  if (!existsSync(source) || !tsx) {
    process.stderr.write(
      'omnifuse: no build of @omnifuse/cli (dist/cli.js) and no way to run its source (src/ and tsx); ' +
        'run "npm run build" in the repository, or reinstall @omnifuse/cli\n',
    );
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@omnifuse/source', '--import', tsx, fileURLToPath(source), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Ctrl-C on a terminal reaches the child itself (same process group): passing it on would make a
  // second SIGINT, which cuts `omnifuse serve`'s graceful shutdown short. Signals sent to this
  // process alone (a supervisor's SIGTERM) are passed on.
  const relay = (signal) => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, relay);
  child.on('error', (error) => {
    process.stderr.write(`omnifuse: could not start node for the source CLI: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const name of signals) process.off(name, relay);
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}
