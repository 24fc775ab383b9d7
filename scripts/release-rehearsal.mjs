#!/usr/bin/env node
// Release rehearsal: what a release would publish, installed the way users install it.
//   1. copies the repository (tracked and untracked-but-not-ignored files, plus each package's dist/)
//      to a scratch folder and runs `changeset version` there, so the pending changesets are applied
//      to a copy and the working tree stays as it is;
//   2. `npm pack`s every public package of the copy, and the third-party fixture plugins in
//      packages/core/test/fixtures/pack;
//   3. installs the tarballs into projects outside the repository: a vision-only user's (core,
//      runtime, trainer, modality-vision, fusion-concat, tfjs and its wasm backend), then every
//      package; prints each install's size, fails when a package in the vision-only install has an
//      install script or the vision-only install is over VISION_ONLY_LIMIT_MB;
//   4. runs there every package README's example that the install has the imports for, the CLI
//      walkthrough (init, train, evaluate, predict) and the fixture plugins' conformance kits.
// Needs the packages built (`npm run build`, which `npm test` runs) and the npm registry for the
// packages' third-party dependencies.
//   node scripts/release-rehearsal.mjs [--keep] [--only=vision|full]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = new Set(process.argv.slice(2));
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);

/** The vision-only install must stay under this many MB (10^6 bytes) of node_modules (issue 19). */
const VISION_ONLY_LIMIT_MB = 350;
/** Third-party packages every install adds, at the versions the repository pins. */
const TFJS = ['@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'];
/** What a user training `vision:cnn` installs (plus what these depend on). */
const VISION_ONLY = [
  '@omnifuse/core',
  '@omnifuse/runtime',
  '@omnifuse/trainer',
  '@omnifuse/modality-vision',
  '@omnifuse/fusion-concat',
];
/** Optional peers the full install adds, so the ONNX encoders' examples run too. */
const FULL_EXTRAS = ['onnxruntime-node@1.30.0'];
const FIXTURES = path.join(root, 'packages/core/test/fixtures/pack');
const FIXTURE_PLUGINS = ['char-count', 'gated-sum'];
const VITEST = 'vitest@4.1.12';

const started = Date.now();
const log = (message) => console.log(`[rehearsal ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

// The outer npm (npm run, npm test) leaves variables that would point the inner npm at the repository.
function childEnv(extra = {}) {
  const drop =
    /^(VITEST|NODE_OPTIONS$|INIT_CWD$|npm_package_|npm_lifecycle_|npm_config_(prefix|local_prefix|global|workspaces?|include_workspace_root)$)/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !drop.test(key)));
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...extra };
}

/** Runs a command; throws with its output's tail when it fails. */
function run(command, args, cwd, { timeout = 600_000, env, stderr = false } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: childEnv(env),
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    shell: process.platform === 'win32',
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    const tail = output.trim().split('\n').slice(-40).join('\n');
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status ?? result.signal}:\n${tail}`,
    );
  }
  return stderr ? output : (result.stdout ?? '');
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

/** The public workspace packages: folder, name and manifest. */
function publicPackages(base) {
  return readdirSync(path.join(base, 'packages'))
    .map((dir) => path.join(base, 'packages', dir))
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson(path.join(dir, 'package.json')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ dir, name: manifest.name, manifest }));
}

/** 1. A scratch copy with the changesets applied. */
function versionedCopy(scratch) {
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root)
    .split('\0')
    .filter((file) => file && existsSync(path.join(root, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(scratch, file));
  }
  for (const pkg of publicPackages(root)) {
    const dist = path.join(pkg.dir, 'dist');
    if (!existsSync(path.join(dist, 'index.js'))) {
      throw new Error(
        `${pkg.name} is not built (no ${path.relative(root, dist)}/index.js): run npm run build first`,
      );
    }
    cpSync(dist, path.join(scratch, path.relative(root, dist)), { recursive: true });
  }
  const pending = readdirSync(path.join(scratch, '.changeset')).filter(
    (f) => f.endsWith('.md') && f !== 'README.md',
  );
  const before = new Map(publicPackages(scratch).map((p) => [p.name, p.manifest.version]));
  run(process.execPath, [path.join(root, 'node_modules/@changesets/cli/bin.js'), 'version'], scratch);
  const packages = publicPackages(scratch);
  log(`changeset version applied ${pending.length} changesets:`);
  for (const pkg of packages) {
    const changelog = path.join(pkg.dir, 'CHANGELOG.md');
    if (!existsSync(changelog)) throw new Error(`${pkg.name}: changeset version wrote no CHANGELOG.md`);
    console.log(`  ${pkg.name.padEnd(28)} ${before.get(pkg.name)} → ${pkg.manifest.version}`);
  }
  // CONTRIBUTING's policy: 0.x releases are minors at most; a major here is a peer range the release
  // moved out of (changesets bumps peer dependents by a major), not a decision.
  const majors = packages.filter(
    (p) => Number(p.manifest.version.split('.')[0]) > Number(before.get(p.name).split('.')[0]),
  );
  if (majors.length > 0) {
    throw new Error(
      `changeset version made majors of ${majors.map((p) => `${p.name} ${p.manifest.version}`).join(', ')}: a minor of a peer (core) in 0.x moves the plugins' caret ranges out; see CONTRIBUTING.md's versioning policy`,
    );
  }
  checkInternalRanges(packages);
  return packages;
}

/** Every internal dependency range must accept the version being released with it. */
function checkInternalRanges(packages) {
  const versions = new Map(packages.map((p) => [p.name, p.manifest.version]));
  const problems = [];
  for (const pkg of packages) {
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const [name, range] of Object.entries(pkg.manifest[field] ?? {})) {
        const version = versions.get(name);
        if (version && !satisfiesCaretOrStar(version, range)) {
          problems.push(`${pkg.name} ${field}.${name} "${range}" excludes ${version}`);
        }
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`internal ranges that the release breaks:\n  ${problems.join('\n  ')}`);
}

/** The range forms the workspace uses: `*`, an exact version, `^x.y.z` (npm's caret rules). */
function satisfiesCaretOrStar(version, range) {
  if (range === '*' || range === version) return true;
  const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!caret) return false;
  const [major, minor, patch] = version.split('.').map(Number);
  const [lo0, lo1, lo2] = caret.slice(1).map(Number);
  if (major !== lo0) return false;
  if (lo0 === 0 && minor !== lo1) return false;
  return minor > lo1 || (minor === lo1 && patch >= lo2);
}

/** 2. Tarballs of the versioned packages and of the fixture plugins. */
function pack(packages, out) {
  const tarballs = new Map();
  for (const pkg of packages) {
    const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], pkg.dir));
    const leaked = info.files.map((f) => f.path).filter((f) => /^(src|test)\/|\.test\.[cm]?[jt]s$/.test(f));
    if (leaked.length > 0) throw new Error(`${pkg.name} packs sources or tests: ${leaked.join(', ')}`);
    tarballs.set(pkg.name, path.join(out, info.filename));
  }
  for (const fixture of FIXTURE_PLUGINS) {
    const [info] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', out], path.join(FIXTURES, fixture)),
    );
    tarballs.set(info.name, path.join(out, info.filename));
  }
  log(`packed ${tarballs.size} tarballs`);
  return tarballs;
}

/** The internal packages `names` need (dependencies and required peers), closed transitively. */
function closure(names, packages) {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const out = new Set();
  const visit = (name) => {
    if (out.has(name) || !byName.has(name)) return;
    out.add(name);
    const { manifest } = byName.get(name);
    const optional = manifest.peerDependenciesMeta ?? {};
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optional[peer]?.optional);
    for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...peers]) visit(dep);
  };
  for (const name of names) visit(name);
  return [...out];
}

/**
 * What the READMEs tell users to put in package.json (npm 11's `allowScripts`): onnxruntime-node's
 * install script downloads GPU parts (its CPU binaries ship in the package); core-js's, which
 * @tensorflow/tfjs brings, prints a funding message. Neither is needed.
 */
const ALLOW_SCRIPTS = { 'onnxruntime-node': false, 'core-js': false };

/** 3. A project outside the repository with `specs` installed: its folder and the install scripts npm ran. */
function installProject(dir, name, specs) {
  mkdirSync(dir, { recursive: true });
  const manifest = { name, private: true, type: 'module', allowScripts: ALLOW_SCRIPTS };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const output = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=info', ...specs], dir, {
    timeout: 900_000,
    stderr: true,
  });
  // npm logs `npm info run <pkg>@<version> <script> <folder> <command>` for every script it runs.
  const ran = [...output.matchAll(/^npm info run (\S+) (preinstall|install|postinstall) (?!\{)/gm)].map(
    (m) => `${m[1]} (${m[2]})`,
  );
  return { project: dir, ran };
}

/** Bytes under a folder, links not followed (as `du -sb` counts them). */
function folderBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const stat = lstatSync(file);
    total += entry.isDirectory() ? folderBytes(file) : stat.size;
  }
  return total;
}

/** The `count` largest top-level packages (scoped ones by package), as "name size". */
function largestPackages(nodeModules, count) {
  const sizes = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(nodeModules, entry.name);
    const names = entry.name.startsWith('@')
      ? readdirSync(dir).map((n) => `${entry.name}/${n}`)
      : [entry.name];
    for (const name of names) sizes.push([name, folderBytes(path.join(nodeModules, name))]);
  }
  return sizes
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${mb(bytes)}`)
    .join(', ');
}

/** Installed packages whose manifest declares an install-time script (or a binding.gyp npm would build). */
function installScripts(nodeModules) {
  const found = [];
  const visitPackage = (dir) => {
    const manifestFile = path.join(dir, 'package.json');
    if (existsSync(manifestFile)) {
      const manifest = readJson(manifestFile);
      const scripts = ['preinstall', 'install', 'postinstall'].filter((s) => manifest.scripts?.[s]);
      if (existsSync(path.join(dir, 'binding.gyp')) && !manifest.scripts?.install)
        scripts.push('binding.gyp');
      if (scripts.length > 0) found.push(`${manifest.name}@${manifest.version} (${scripts.join(', ')})`);
    }
    const nested = path.join(dir, 'node_modules');
    if (existsSync(nested)) visitFolder(nested);
  };
  const visitFolder = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dir = path.join(folder, entry.name);
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(dir, { withFileTypes: true })) {
          if (scoped.isDirectory()) visitPackage(path.join(dir, scoped.name));
        }
      } else visitPackage(dir);
    }
  };
  visitFolder(nodeModules);
  return found;
}

/** The README's examples of a package: `examples/<name>.mjs` files its README links to. */
function readmeExamples(pkgDir) {
  const readme = readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const names = [...new Set(readme.match(/examples\/[a-z0-9-]+\.mjs/g) ?? [])];
  return names.map((name) => path.join(pkgDir, name)).filter((file) => existsSync(file));
}

/** Bare package names a module imports (`@scope/name` or `name`), node: builtins left out. */
function importedPackages(source) {
  const specifiers = [
    ...source.matchAll(
      /(?:from\s+|import\s*\(\s*|import\s+|(?:require|\.resolve)\(\s*)['"]([^'"./][^'"]*)['"]/g,
    ),
  ].map((m) => m[1]);
  return [
    ...new Set(
      specifiers
        .filter((s) => !s.startsWith('node:'))
        .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])),
    ),
  ];
}

/** Data an example reads from the repository's shared data folder: not there for a user. */
const NEEDS_SHARED_DATA = /\.\.\/shared|shared\/data|FSDD_DIR|SENTIMENT_DIR/;

/** 4a. Runs each README example whose imports the project has; returns [ran, skipped]. */
function runExamples(project, repoPackages) {
  const ran = [];
  const skipped = [];
  for (const pkg of repoPackages) {
    for (const file of readmeExamples(pkg.dir)) {
      const label = `${pkg.name} ${path.relative(pkg.dir, file)}`;
      const source = readFileSync(file, 'utf8');
      const missing = importedPackages(source).filter(
        (name) => !existsSync(path.join(project, 'node_modules', name, 'package.json')),
      );
      if (missing.length > 0) {
        skipped.push(`${label}: imports ${missing.join(', ')}, not in this install`);
        continue;
      }
      // The ONNX encoders load onnxruntime-node, an optional peer, only when they open a model.
      if (/onnx/i.test(source) && !existsSync(path.join(project, 'node_modules', 'onnxruntime-node'))) {
        skipped.push(`${label}: runs an ONNX model, which needs onnxruntime-node (an optional peer)`);
        continue;
      }
      if (NEEDS_SHARED_DATA.test(source)) {
        skipped.push(`${label}: reads the repository's shared data`);
        continue;
      }
      const copy = path.join(project, 'examples', path.basename(pkg.dir), path.basename(file));
      mkdirSync(path.dirname(copy), { recursive: true });
      cpSync(file, copy);
      const t0 = Date.now();
      const stdout = run(process.execPath, [copy], path.dirname(copy), { timeout: 600_000 });
      const prints = /Prints:\n\n```\n([\s\S]*?)```/.exec(
        readFileSync(path.join(pkg.dir, 'README.md'), 'utf8'),
      );
      const readmeBlock = `\`\`\`js\n${source.split('\n').slice(1).join('\n')}\`\`\``;
      // A README whose js block is this example and that shows its output must show exactly this output.
      if (prints && readFileSync(path.join(pkg.dir, 'README.md'), 'utf8').includes(readmeBlock)) {
        if (stdout !== prints[1]) {
          throw new Error(`${label} printed something else than its README shows:\n${stdout}`);
        }
      }
      ran.push(
        `${label} (${((Date.now() - t0) / 1000).toFixed(1)} s${prints ? ', output as the README shows' : ''})`,
      );
    }
  }
  return [ran, skipped];
}

/** 4b. The CLI README's walkthrough, on the README's kind of data. */
function cliWalkthrough(project) {
  const dir = path.join(project, 'walkthrough');
  mkdirSync(dir, { recursive: true });
  const words = {
    rain: ['rain', 'heavy clouds', 'wet streets', 'grey sky'],
    sun: ['clear blue sky', 'sunny', 'warm', 'bright'],
  };
  const rows = Array.from({ length: 60 }, (_, i) => {
    const label = i % 2 === 0 ? 'rain' : 'sun';
    const sign = label === 'rain' ? -1 : 1;
    const jitter = ((i * 37) % 19) / 19 - 0.5;
    return {
      id: `r${i}`,
      x: Number((sign + jitter).toFixed(2)),
      y: Number((sign * 0.8 - jitter).toFixed(2)),
      note: `${words[label][i % 4]} today`,
      label,
    };
  });
  writeFileSync(path.join(dir, 'data.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const omnifuse = (...args) => run('npx', ['--no-install', 'omnifuse', ...args], dir);
  omnifuse('init', 'data.jsonl', '--no-estimate');
  omnifuse('train', 'omnifuse.json', '--out', 'model', '--epochs', '3');
  const evaluated = omnifuse('evaluate', 'model', '--no-report');
  JSON.parse(evaluated);
  const accuracy = /"accuracy":\s*([0-9.]+)/.exec(evaluated)?.[1];
  omnifuse('predict', 'model', '--data', 'data.jsonl', '--out', 'preds.jsonl');
  const predictions = readFileSync(path.join(dir, 'preds.jsonl'), 'utf8').trim().split('\n');
  if (predictions.length !== rows.length)
    throw new Error(`predict wrote ${predictions.length} rows, not ${rows.length}`);
  const info = omnifuse('info', '--json');
  JSON.parse(info);
  return `init → train (3 epochs) → evaluate (test accuracy ${accuracy ?? '?'}) → predict (${predictions.length} rows) → info`;
}

/** 4c. The fixture plugins' conformance kits, against the packed core. */
function fixtureConformance(project) {
  for (const fixture of FIXTURE_PLUGINS)
    cpSync(path.join(FIXTURES, `${fixture}.test.js`), path.join(project, `${fixture}.test.js`));
  const report = path.join(project, 'conformance.json');
  run(
    'npx',
    [
      '--no-install',
      'vitest',
      'run',
      '--reporter=json',
      `--outputFile=${report}`,
      ...FIXTURE_PLUGINS.map((f) => `${f}.test.js`),
    ],
    project,
  );
  const summary = readJson(report);
  if (summary.numFailedTests > 0 || summary.numPassedTests === 0) {
    throw new Error(
      `fixture conformance: ${summary.numFailedTests} failed, ${summary.numPassedTests} passed`,
    );
  }
  return `${summary.numPassedTests} conformance tests passed (${FIXTURE_PLUGINS.join(', ')})`;
}

async function main() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-release-'));
  const summary = [];
  try {
    log(`scratch ${scratch}`);
    const packages = versionedCopy(path.join(scratch, 'repo'));
    const tarballDir = path.join(scratch, 'tarballs');
    mkdirSync(tarballDir);
    const tarballs = pack(packages, tarballDir);
    const repoPackages = publicPackages(root);

    if (only !== 'full') {
      const names = closure(VISION_ONLY, packages);
      log(`vision-only install: ${names.join(', ')} + ${TFJS.join(', ')}`);
      const { project, ran: scriptsRan } = installProject(
        path.join(scratch, 'vision-only'),
        'rehearsal-vision-only',
        [...names.map((n) => tarballs.get(n)), ...TFJS],
      );
      const bytes = folderBytes(path.join(project, 'node_modules'));
      const scripts = installScripts(path.join(project, 'node_modules'));
      const [ran, skipped] = runExamples(project, repoPackages);
      summary.push(
        `vision-only install: ${mb(bytes)} of node_modules (limit ${VISION_ONLY_LIMIT_MB} MB); install scripts run: ${scriptsRan.join(', ') || 'none'} (declared: ${scripts.join(', ') || 'none'}; allowScripts ${JSON.stringify(ALLOW_SCRIPTS)})`,
      );
      summary.push(`  largest: ${largestPackages(path.join(project, 'node_modules'), 6)}`);
      summary.push(...ran.map((r) => `  ran ${r}`));
      if (scriptsRan.length > 0) {
        throw new Error(`the vision-only install ran install scripts: ${scriptsRan.join(', ')}`);
      }
      if (bytes > VISION_ONLY_LIMIT_MB * 1e6)
        throw new Error(`the vision-only install is ${mb(bytes)}, over ${VISION_ONLY_LIMIT_MB} MB`);
      if (ran.length === 0) throw new Error('no README example ran in the vision-only install');
      log(`vision-only: ${mb(bytes)}, ${ran.length} examples ran, ${skipped.length} need more packages`);
    }

    if (only !== 'vision') {
      log(
        'full install: every public package + tfjs, wasm, onnxruntime-node, vitest and the fixture plugins',
      );
      const { project, ran: scriptsRan } = installProject(path.join(scratch, 'full'), 'rehearsal-full', [
        ...[...tarballs.values()],
        ...TFJS,
        ...FULL_EXTRAS,
        VITEST,
      ]);
      const bytes = folderBytes(path.join(project, 'node_modules'));
      const scripts = installScripts(path.join(project, 'node_modules'));
      const [ran, skipped] = runExamples(project, repoPackages);
      summary.push(
        `full install: ${mb(bytes)} of node_modules (with onnxruntime-node and vitest); install scripts run: ${scriptsRan.join(', ') || 'none'} (declared: ${scripts.join(', ') || 'none'})`,
      );
      summary.push(`  largest: ${largestPackages(path.join(project, 'node_modules'), 6)}`);
      summary.push(...ran.map((r) => `  ran ${r}`), ...skipped.map((s) => `  skipped ${s}`));
      summary.push(`CLI walkthrough: ${cliWalkthrough(project)}`);
      summary.push(`third-party plugins: ${fixtureConformance(project)}`);
    }
    log('done');
    console.log(summary.join('\n'));
  } finally {
    if (flags.has('--keep')) log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
