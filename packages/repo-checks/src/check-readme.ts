// Type-checks the ```ts examples of a package's README under the repository's strict settings,
// as users paste them (issue 12: README examples are code users paste). Run from a package
// folder by its `typecheck` script, after `tsc -p .`:
//   "typecheck": "tsc -p . && node ../repo-checks/src/check-readme.ts"
// Usage: node ../repo-checks/src/check-readme.ts [README.md ...]
// Names the examples take for granted (a `uuid`, a `host`, the job's own functions) are
// declared in the README, in an HTML comment readers do not see:
//   <!-- readme-prelude
//   declare const uuid: string;
//   declare function deploy(): Promise<void>;
//   -->
// A block that is not code to paste is left out by a line `<!-- readme-check: skip -->`
// before it. Imports of `@berth/*` resolve to the packages' sources (no build needed).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkReadmeExamples } from './readme-examples.ts';

const packageDir = process.cwd();
const manifest = join(packageDir, 'package.json');
if (!existsSync(manifest)) {
  process.stderr.write(`check-readme: no package.json in ${packageDir}: run it from a package\n`);
  process.exit(2);
}
const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
const args = process.argv.slice(2);
const readmes = args.length > 0 ? args : ['README.md'];
const result = checkReadmeExamples(packageDir, readmes);
const where = `${name ?? packageDir} ${readmes.join(', ')}`;
if (!result.ok) {
  process.stderr.write(
    `check-readme: ${where}: ${result.errors.length} error(s) in the ts examples ` +
      '(declare what an example takes for granted in a <!-- readme-prelude ... --> comment):\n' +
      `${result.errors.join('\n')}\n`,
  );
  process.exit(1);
}
const note =
  result.sourceErrors > 0
    ? ` (${result.sourceErrors} error(s) in the imported sources left to their own typecheck)`
    : '';
process.stdout.write(
  result.checked === 0
    ? `check-readme: ${where}: no ts examples\n`
    : result.checked === 1
      ? `check-readme: ${where}: 1 ts example type-checks${note}\n`
      : `check-readme: ${where}: ${result.checked} ts examples type-check${note}\n`,
);
