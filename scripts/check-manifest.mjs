#!/usr/bin/env node
// Fails when custom-elements.json is stale: regenerates the manifest with the same analyzer
// options as `npm run build:manifest` and compares it with the file in the tree (in CI: the
// committed one). Fix: `npm run build:manifest` and commit custom-elements.json.
//
// The analyzer writes into <cwd>/<outdir> and rewrites package.json's "customElements" field to
// point there, so it runs in a scratch folder that links src/ and node_modules/ and holds a copy
// of package.json (and of a custom-elements-manifest config, if the project has one).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CEM_ARGS = ['analyze', '--litelement', '--globs', 'src/**/*.ts', '--exclude', 'src/**/*.test.ts'];

/** The analyzer lists modules in file-system order, which differs between checkouts. */
function normalised(text) {
  const parsed = JSON.parse(text);
  parsed.modules?.sort((a, b) => a.path.localeCompare(b.path));
  return JSON.stringify(parsed);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'custom-elements.json');
const scratch = mkdtempSync(join(tmpdir(), 'meshcall-cem-'));
let failed = false;
try {
  symlinkSync(join(root, 'src'), join(scratch, 'src'), 'dir');
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  copyFileSync(join(root, 'package.json'), join(scratch, 'package.json'));
  for (const name of ['custom-elements-manifest.config.mjs', 'custom-elements-manifest.config.js']) {
    if (existsSync(join(root, name))) copyFileSync(join(root, name), join(scratch, name));
  }
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js'), ...CEM_ARGS],
    { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const fresh = readFileSync(join(scratch, 'custom-elements.json'), 'utf8');
  if (!existsSync(manifest)) {
    console.error('check-manifest: custom-elements.json is missing; run `npm run build:manifest` and commit it.');
    failed = true;
  } else if (normalised(fresh) !== normalised(readFileSync(manifest, 'utf8'))) {
    console.error('check-manifest: custom-elements.json is stale; run `npm run build:manifest` and commit it.');
    failed = true;
  } else {
    console.log('check-manifest: custom-elements.json is up to date');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
