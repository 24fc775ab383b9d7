// The dependency-graph check (issue 19): dependency-cruiser with the rules in .dependency-cruiser.cjs
// over every package and app — no import loops, only declared dependencies, no devDependency or
// test-only code reachable from published code, no plugin package imported by another package's
// main code. A seeded fixture shows the rules catch what they name.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

async function cruise(cwd: string, paths: string[]): Promise<Violation[]> {
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const result = await promisify(execFile)(
    process.execPath,
    [depcruise, ...paths, '--config', config, '--output-type', 'json'],
    { cwd, maxBuffer: 256 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    if (!error.stdout) throw new Error(`depcruise failed: ${error.stderr}`);
    return { stdout: error.stdout };
  });
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

const describeViolation = (v: Violation) =>
  `${v.rule.name}: ${v.from} → ${v.cycle ? v.cycle.map((c) => c.name).join(' → ') : v.to}`;

describe('dependency graph', () => {
  it('has no violations in packages/ and apps/', { timeout: 180_000 }, async () => {
    const violations = await cruise(root, ['packages', 'apps']);
    expect(violations.map(describeViolation)).toEqual([]);
  });

  it('finds a loop, test-only code in a main entry and an undeclared package in a seeded fixture', async () => {
    const fixture = path.join(root, 'scripts', 'fixtures', 'dependency-graph');
    const violations = await cruise(fixture, ['packages']);
    const byRule = (name: string) => violations.filter((v) => v.rule.name === name).map((v) => v.to);
    const loops = violations.filter((v) => v.rule.name === 'no-circular');
    expect(loops).toHaveLength(1);
    expect([loops[0]!.from, ...loops[0]!.cycle!.map((c) => c.name)].sort()).toEqual([
      'packages/plugin-a/src/loop/ping.ts',
      'packages/plugin-a/src/loop/ping.ts',
      'packages/plugin-a/src/loop/pong.ts',
    ]);
    expect(byRule('main-code-not-to-test-code')).toEqual(['packages/plugin-a/src/testing/kit.ts']);
    expect(byRule('not-to-unresolvable')).toEqual(['undeclared-package']);
  });
});
