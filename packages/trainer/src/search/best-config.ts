import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ModelSpec } from '@omnifuse/core';

/**
 * `best-config.json`: the best trial's full spec, with its relative `data`, plugin and `$schema`
 * paths rebased from `baseDir` to the search folder, so the file trains as is (`omnifuse train
 * <outDir>/best-config.json`). Without a `$schema` in the spec, it points at core's JSON schema as
 * installed.
 */
export function bestConfigJson(
  spec: ModelSpec,
  args: { readonly baseDir: string; readonly outDir: string },
): string {
  const { $schema: given, ...rest } = spec;
  const rebase = (file: string) => toPosix(path.relative(args.outDir, path.resolve(args.baseDir, file)));
  const isRelative = (file: string) => file.startsWith('./') || file.startsWith('../');
  const schema =
    given === undefined
      ? schemaRef(args.outDir, [args.outDir, args.baseDir, process.cwd(), binDir()])
      : isRelative(given)
        ? dotted(rebase(given))
        : given;
  const config = {
    ...(schema ? { $schema: schema } : {}),
    ...rest,
    plugins: rest.plugins.map((p) => (isRelative(p) ? dotted(rebase(p)) : p)),
    ...(rest.data !== undefined && !path.isAbsolute(rest.data) ? { data: rebase(rest.data) } : {}),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Core's `model-spec.schema.json` as installed from one of `from`, relative to `outDir`. */
function schemaRef(outDir: string, from: readonly string[]): string | undefined {
  for (const dir of from) {
    try {
      const file = createRequire(path.join(dir, 'package.json')).resolve(
        '@omnifuse/core/model-spec.schema.json',
      );
      if (existsSync(file)) return dotted(toPosix(path.relative(outDir, file)));
    } catch {
      // not installed from there
    }
  }
  return undefined;
}

/** The running program's folder: a CLI installed elsewhere resolves core from beside itself. */
function binDir(): string {
  return path.dirname(path.resolve(process.argv[1] ?? '.'));
}

function dotted(relative: string): string {
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
