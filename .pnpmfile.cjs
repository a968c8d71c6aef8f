// pnpm hooks for the whole workspace. Only `beforePacking` is used: it shapes the package.json
// that goes into every tarball `pnpm pack` and `pnpm publish` make (the local file is left
// alone). Installs are unaffected.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Names of the workspace packages that are never published (`"private": true`). */
function unpublishedWorkspacePackages() {
  const names = new Set();
  for (const group of ['packages', 'actions', 'examples']) {
    let dirs = [];
    try {
      dirs = readdirSync(join(__dirname, group));
    } catch {
      continue;
    }
    for (const dir of dirs) {
      try {
        const manifest = JSON.parse(
          readFileSync(join(__dirname, group, dir, 'package.json'), 'utf8'),
        );
        if (manifest.private === true && typeof manifest.name === 'string')
          names.add(manifest.name);
      } catch {
        // not a package
      }
    }
  }
  return names;
}

/**
 * A consumer cannot resolve a private workspace package (`@berth/internal` is bundled by tsup,
 * `@berth/testkit` is test-only), so the published manifest must not name one: drop them from
 * devDependencies, and refuse to pack a package that needs one at run time.
 */
function beforePacking(pkg) {
  const unpublished = unpublishedWorkspacePackages();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const named = Object.keys(pkg[field] ?? {}).filter((name) => unpublished.has(name));
    if (named.length > 0) {
      throw new Error(
        `${pkg.name}: ${field} names unpublished workspace package(s) ${named.join(', ')}; ` +
          'bundle them (tsup noExternal) and list them under devDependencies instead',
      );
    }
  }
  if (pkg.devDependencies) {
    for (const name of Object.keys(pkg.devDependencies)) {
      if (unpublished.has(name)) delete pkg.devDependencies[name];
    }
    if (Object.keys(pkg.devDependencies).length === 0) delete pkg.devDependencies;
  }
  return pkg;
}

module.exports = { hooks: { beforePacking } };
