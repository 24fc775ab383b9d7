import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  type Dataset,
  ErrorCode,
  loadManifest,
  type ModelSpec,
  OmnifuseError,
  parseModelSpec,
} from '@omnifuse/core';
import { flag, type ParsedArgs, positional, stringOption } from './args.js';
import { activateBackend } from './backend-line.js';
import { estimateEpoch, estimateLine } from './estimate-epoch.js';
import { inferConfig } from './infer-config.js';
import { type CliIo, line } from './io.js';
import { sampleMedia } from './media-sample.js';
import { loadPluginModules, pluginSearchDirs } from './plugins.js';
import { CLI_PACKAGE_DIR } from './versions.js';

export async function runInit(args: ParsedArgs, io: CliIo): Promise<number> {
  const manifest = path.resolve(io.cwd, positional(args, 'manifest'));
  const out = path.resolve(io.cwd, stringOption(args, 'out') ?? 'omnifuse.json');
  if (existsSync(out) && !flag(args, 'force')) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'the config exists already; pass --force to overwrite it',
      file: out,
    });
  }
  const dataset = await loadManifest(manifest);
  const outDir = path.dirname(out);
  const media = await sampleMedia(dataset, pluginSearchDirs(outDir));
  const { config, fields, notes } = inferConfig(dataset, {
    label: stringOption(args, 'label'),
    ignore: stringOption(args, 'ignore')
      ?.split(',')
      .map((field) => field.trim())
      .filter(Boolean),
    data: toPosix(path.relative(outDir, manifest)),
    schemaRef: schemaRef(outDir),
    media,
  });
  // What init writes must be what train accepts.
  const spec = parseModelSpec(config, out);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, `${JSON.stringify(config, null, 2)}\n`);

  line(io.stdout, `read ${dataset.size} records from ${path.relative(io.cwd, manifest) || manifest}`);
  const width = Math.max(...fields.map((f) => f.field.length));
  const typeWidth = Math.max(...fields.map((f) => f.type.length));
  for (const f of fields) {
    const role =
      f.role === 'input' ? `→ ${f.choice}` : f.role === 'output' ? `→ output (${f.choice})` : '→ skipped';
    line(io.stdout, `  ${f.field.padEnd(width)}  ${f.type.padEnd(typeWidth)}  ${role}: ${f.why}`);
  }
  for (const note of notes) line(io.stdout, note);
  if (config.plugins && config.plugins.length > 0) {
    line(io.stdout, `plugins: ${config.plugins.join(', ')} (npm install ${config.plugins.join(' ')})`);
  }
  if (!flag(args, 'no-estimate')) line(io.stdout, await epochEstimateLine(spec, dataset, outDir, out));
  line(io.stdout, `wrote ${path.relative(io.cwd, out) || out}`);
  line(io.stdout, `next: omnifuse train ${path.relative(io.cwd, out) || out}`);
  return 0;
}

/**
 * The estimated time per epoch, measured on a few batches (see `estimateEpoch`), or why there is
 * none: the config is written either way, and a plugin missing here is reported when training.
 */
async function epochEstimateLine(
  spec: ModelSpec,
  dataset: Dataset,
  outDir: string,
  out: string,
): Promise<string> {
  try {
    const modules = await loadPluginModules(spec.plugins, pluginSearchDirs(outDir), out);
    await activateBackend(spec.backend);
    const estimate = await estimateEpoch({
      spec,
      dataset,
      plugins: modules.flatMap((m) => m.plugins),
      baseDir: outDir,
    });
    return estimateLine(estimate);
  } catch (error) {
    return `no time estimate: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * The `$schema` reference for editors: core's schema file as installed for the config's project (or
 * beside this CLI), relative to the config.
 */
function schemaRef(outDir: string): string | undefined {
  for (const from of [outDir, CLI_PACKAGE_DIR]) {
    try {
      const manifest = createRequire(path.join(from, 'package.json')).resolve('@omnifuse/core/package.json');
      const schema = path.join(path.dirname(manifest), 'schema', 'model-spec.schema.json');
      if (!existsSync(schema)) continue;
      const relative = toPosix(path.relative(outDir, schema));
      return relative.startsWith('.') ? relative : `./${relative}`;
    } catch {
      // not installed from there
    }
  }
  return undefined;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
