import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './repo.ts';

/**
 * The house layout of a published package (issue 14), one rule at a time, so a package not
 * there yet can be excepted rule by rule (see `layout-exceptions.ts`).
 */
export type LayoutRule =
  /** `src/index.ts` lists the public exports. */
  | 'index'
  /** `src/cli.ts` is the thin bin: shebang, import, `main(program)`; at most 5 lines. */
  | 'cli-thin'
  /** The program is defined in `src/cli/program.ts`. */
  | 'program'
  /** Every `defineCommand` is in its own `src/cli/<command>-command.ts`. */
  | 'commands'
  /** One `src/errors.ts` holds the package's error class (and no other file extends BerthError). */
  | 'errors'
  /** No `Date.now()` / `new Date()` (read "now" from an injected `Clock`). */
  | 'clock'
  /** `src/index.ts` has named exports only, and every function, class or constant it exports is in the README. */
  | 'exports'
  /** The package's row of the issue-14 table has the house values (see {@link HOUSE_ROW}). */
  | 'table';

/** All rules, in the order they are reported. */
export const LAYOUT_RULES: readonly LayoutRule[] = [
  'index',
  'cli-thin',
  'program',
  'commands',
  'errors',
  'clock',
  'exports',
  'table',
];

/** A published package: `packages/<name>` whose package.json is not private. */
export interface PackageDir {
  name: string;
  dir: string;
}

/** Every published package of the repository, by folder name. */
export function publishedPackages(root = REPO_ROOT): PackageDir[] {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .filter((d) => {
      const manifest = JSON.parse(readFileSync(join(base, d.name, 'package.json'), 'utf8')) as {
        private?: boolean;
      };
      return manifest.private !== true;
    })
    .map((d) => ({ name: d.name, dir: join(base, d.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Production sources of a package: `src/**\/*.ts` without tests, as paths relative to `src`. */
export function productionFiles(dir: string): string[] {
  const src = join(dir, 'src');
  if (!existsSync(src)) return [];
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!/^(__\w+__|fixtures|test|tests)$/.test(entry.name)) walk(path);
      } else if (/\.ts$/.test(entry.name) && !/\.(test|test-d|bench)\.ts$/.test(entry.name)) {
        out.push(relative(src, path).split('\\').join('/'));
      }
    }
  };
  walk(src);
  return out.sort();
}

/** Source text without comments (strings are kept; good enough for these checks). */
export function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function read(dir: string, file: string): string {
  return readFileSync(join(dir, 'src', file), 'utf8');
}

/** One place where production code reads the wall clock itself. */
export interface ClockRead {
  file: string;
  line: number;
  text: string;
}

const CLOCK_READ = /\bDate\.now\(\s*\)|\bnew Date\(\s*\)/;

/**
 * Where production code reads "now" without an injected `Clock`: `Date.now()` or
 * `new Date()` without arguments. `allow` lists files (relative to `src`) that may: the
 * clock itself.
 */
export function clockReads(dir: string, allow: readonly string[] = []): ClockRead[] {
  const out: ClockRead[] = [];
  for (const file of productionFiles(dir)) {
    if (allow.includes(file)) continue;
    const lines = withoutComments(read(dir, file)).split('\n');
    lines.forEach((text, i) => {
      if (CLOCK_READ.test(text)) out.push({ file, line: i + 1, text: text.trim() });
    });
  }
  return out;
}

/** What a package breaks of the layout, rule by rule (rules it keeps are absent). */
export function layoutProblems(pkg: PackageDir): Partial<Record<LayoutRule, string>> {
  const problems: Partial<Record<LayoutRule, string>> = {};
  const files = productionFiles(pkg.dir);
  const has = (file: string) => files.includes(file);
  const texts = new Map(files.map((f) => [f, withoutComments(read(pkg.dir, f))]));

  if (!has('index.ts')) problems.index = 'src/index.ts is missing';

  if (!has('cli.ts')) {
    problems['cli-thin'] = 'src/cli.ts is missing';
  } else {
    const raw = read(pkg.dir, 'cli.ts');
    const lines = raw.split('\n').filter((l) => l.trim() !== '');
    const why: string[] = [];
    if (!raw.startsWith('#!/usr/bin/env node\n'))
      why.push('does not start with #!/usr/bin/env node');
    if (lines.length > 5) why.push(`has ${lines.length} lines (at most 5)`);
    if (!/^main\(program\);?$/m.test(raw)) why.push('does not call main(program)');
    if (!/from '\.\/cli\/program\.ts'/.test(raw))
      why.push("does not import from './cli/program.ts'");
    if (why.length) problems['cli-thin'] = `src/cli.ts ${why.join(', ')}`;
  }

  const programFile = findProgramFile(texts);
  if (programFile !== 'cli/program.ts') {
    problems.program = programFile
      ? `the program is defined in src/${programFile}, not src/cli/program.ts`
      : 'no program (ProgramSpec) found; define it in src/cli/program.ts';
  }

  const commandFiles = [...texts].filter(([, t]) => /\bdefineCommand\s*\(/.test(t)).map(([f]) => f);
  const misplaced = commandFiles.filter((f) => !/^cli\/[a-z0-9-]+-command\.ts$/.test(f));
  if (commandFiles.length === 0) problems.commands = 'no defineCommand found';
  else if (misplaced.length) {
    problems.commands = `defineCommand outside src/cli/<command>-command.ts: ${misplaced.map((f) => `src/${f}`).join(', ')}`;
  }

  const errorClasses = [...texts]
    .filter(([, t]) => /\bextends\s+BerthError\b/.test(t))
    .map(([f]) => f);
  if (!has('errors.ts')) problems.errors = 'src/errors.ts is missing';
  else if (errorClasses.some((f) => f !== 'errors.ts')) {
    problems.errors = `error classes outside src/errors.ts: ${errorClasses
      .filter((f) => f !== 'errors.ts')
      .map((f) => `src/${f}`)
      .join(', ')}`;
  }

  const reads = clockReads(pkg.dir);
  if (reads.length) {
    problems.clock = `reads the wall clock instead of a Clock: ${reads
      .map((r) => `src/${r.file}:${r.line}`)
      .join(', ')}`;
  }

  const undocumented = undocumentedExports(pkg);
  if (undocumented.length) problems.exports = `src/index.ts: ${undocumented.join('; ')}`;

  const row = differencesRow(pkg);
  const off = (Object.keys(HOUSE_ROW) as (keyof DifferencesRow)[]).filter(
    (column) => !HOUSE_ROW[column].includes(row[column]),
  );
  if (off.length) {
    problems.table = `issue-14 table: ${off
      .map((c) => `${c} is ${JSON.stringify(row[c])} (house: ${HOUSE_ROW[c].join(' or ')})`)
      .join('; ')}`;
  }
  return problems;
}

/**
 * What `src/index.ts` exports that the README does not document: `export *` (exports must
 * be listed by name), and value exports (functions, classes, constants) whose name the
 * README never mentions. Types are left to the API report.
 */
export function undocumentedExports(pkg: PackageDir): string[] {
  const indexFile = join(pkg.dir, 'src', 'index.ts');
  const readmeFile = join(pkg.dir, 'README.md');
  if (!existsSync(indexFile)) return [];
  const index = withoutComments(readFileSync(indexFile, 'utf8'));
  const readme = existsSync(readmeFile) ? readFileSync(readmeFile, 'utf8') : '';
  const out: string[] = [];
  if (/\bexport\s+\*/.test(index)) out.push('uses export * (list exports by name)');
  const values = [...index.matchAll(/\bexport\s+\{([^}]*)\}/g)].flatMap((m) =>
    (m[1] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '' && !part.startsWith('type '))
      .map((part) => part.split(/\s+as\s+/).pop() as string),
  );
  const missing = values.filter((name) => !new RegExp(`\\b${name}\\b`).test(readme));
  if (missing.length) out.push(`exported but not in README.md: ${missing.join(', ')}`);
  return out;
}

function findProgramFile(texts: Map<string, string>): string | undefined {
  for (const [file, text] of texts) {
    if (/:\s*ProgramSpec\b/.test(text) || /\bmain\(\s*\{/.test(text)) return file;
  }
  return undefined;
}

/** One row of the issue-14 "Differences today" table, regenerated from the code. */
export interface DifferencesRow {
  'program defined in': string;
  commands: string;
  'bad-input code': string;
  'clients injected as': string;
  'own clients released': string;
}

/**
 * The values every package converges on (issue 14). `–` where a column does not apply: no
 * AWS client in the package.
 */
export const HOUSE_ROW: Readonly<Record<keyof DifferencesRow, readonly string[]>> = {
  'program defined in': ['src/cli/program.ts'],
  commands: ['cli/*-command.ts'],
  'bad-input code': ['E_INPUT'],
  'clients injected as': ['clients.<name>', '–'],
  'own clients released': ['withClients', '–'],
};

/**
 * Generic "bad input" codes (as opposed to codes naming one condition, such as
 * `E_INVALID_DATE` or `E_NAME`, which stay where they are documented contracts).
 */
const GENERIC_BAD_INPUT =
  /^E_(INPUT|USAGE|INVALID_INPUT|INVALID_OPTION|INVALID_ARGUMENT|BAD_INPUT)$/;

/**
 * The package's row of the issue-14 table:
 * - program defined in: the file that defines the `ProgramSpec` (`inline in cli.ts` when the
 *   bin does);
 * - commands: where `defineCommand` is called (`inline` in the program file,
 *   `cli/*-command.ts`, `commands/<name>.ts`, flat `*-command.ts`);
 * - bad-input code: the generic bad-input codes of `src/errors.ts` (`E_INPUT` from
 *   `UsageError` when it declares none);
 * - clients injected as: how options take AWS SDK clients: `clients.<name>` (one `clients`
 *   object), or the lone option names (`client`, `secretsManager`; members marked
 *   `@deprecated` are compatibility aliases and not counted); `–` without AWS;
 * - own clients released: `withClients` (every client the package builds is made and
 *   released by it), `by hand` (`new XClient` and `.destroy()`), `never`; `–` without AWS.
 */
export function differencesRow(pkg: PackageDir): DifferencesRow {
  const files = productionFiles(pkg.dir);
  // A member marked @deprecated is an alias kept for compatibility (interfaces are
  // contracts: add, never rename), not a second way the package is meant to be used.
  const texts = new Map(
    files.map((f) => [f, withoutComments(read(pkg.dir, f).replace(DEPRECATED_MEMBER, ''))]),
  );
  const programFile = findProgramFile(texts);
  const program =
    programFile === undefined
      ? '–'
      : programFile === 'cli.ts'
        ? 'inline in cli.ts'
        : `src/${programFile}`;

  const commandKinds = new Set<string>();
  for (const [file, text] of texts) {
    if (!/\bdefineCommand\s*\(/.test(text)) continue;
    if (file === programFile) commandKinds.add('inline');
    else if (/^cli\/[^/]+-command\.ts$/.test(file)) commandKinds.add('cli/*-command.ts');
    else if (/^commands\/[^/]+\.ts$/.test(file)) commandKinds.add('commands/<name>.ts');
    else if (/^[^/]+-command\.ts$/.test(file)) commandKinds.add('flat *-command.ts');
    else commandKinds.add(`src/${file}`);
  }

  const errorsText = texts.get('errors.ts') ?? '';
  const generic = [...new Set(errorsText.match(/'E_[A-Z_]+'/g) ?? [])]
    .map((c) => c.slice(1, -1))
    .filter((c) => GENERIC_BAD_INPUT.test(c))
    .sort();

  const all = [...texts.values()].join('\n');
  const usesAws = /from '@aws-sdk\/client-/.test(all);
  let injected = '–';
  let released = '–';
  if (usesAws) {
    const lone = new Set<string>();
    let clientsObject = false;
    for (const text of texts.values()) {
      const masked = maskClientsObjects(text);
      if (masked !== text || /\bclients\??:\s*(?:Partial<|Readonly<)?[A-Z]\w*/.test(text)) {
        clientsObject = true;
      }
      for (const m of masked.matchAll(/\b(\w+)\?:\s*(?:[A-Z]\w*Client)\b\s*[;,|}\n]/g)) {
        lone.add(m[1] as string);
      }
    }
    const names = [...(clientsObject ? ['clients.<name>'] : []), ...[...lone].sort()];
    injected = names.length ? names.join(' + ') : 'none';
    const built = /\bnew\s+[A-Z]\w*Client\s*\(/.test(all);
    const withClients = /\bwithClients\s*\(/.test(all);
    if (!built) released = withClients ? 'withClients' : 'none built';
    else if (/\.destroy\(\s*\)/.test(all))
      released = withClients ? 'withClients + by hand' : 'by hand';
    else released = 'never';
  }

  return {
    'program defined in': program,
    commands: commandKinds.size ? [...commandKinds].sort().join(' + ') : '–',
    'bad-input code': generic.length ? generic.join(' + ') : 'E_INPUT',
    'clients injected as': injected,
    'own clients released': released,
  };
}

const DEPRECATED_MEMBER =
  /\/\*\*(?:(?!\*\/)[\s\S])*@deprecated(?:(?!\*\/)[\s\S])*\*\/\s*(?:readonly\s+)?\w+\??:[^;\n]*[;\n]/g;

/**
 * Text with every clients object type removed: `clients?: { ... }`, `clients?: Partial<{ ... }>`,
 * `interface XClients { ... }`, `type XClients = { ... }`.
 */
function maskClientsObjects(text: string): string {
  let out = text;
  for (;;) {
    const m =
      /\bclients\??:\s*(?:Partial<|Readonly<)?\s*\{|\b(?:interface\s+\w*Clients\w*(?:<[^>]*>)?|type\s+\w*Clients\w*(?:<[^>]*>)?\s*=)\s*(?:Partial<|Readonly<)?\s*\{/.exec(
        out,
      );
    if (!m) return out;
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < out.length; end++) {
      if (out[end] === '{') depth++;
      else if (out[end] === '}' && --depth === 0) break;
    }
    out = `${out.slice(0, m.index)}clients-object${out.slice(end + 1)}`;
  }
}

/** The regenerated table as Markdown, in the issue's shape. */
export function differencesTable(
  rows: ReadonlyArray<{ name: string; row: DifferencesRow }>,
): string {
  const columns = Object.keys(HOUSE_ROW) as (keyof DifferencesRow)[];
  const lines = [`| | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`];
  for (const { name, row } of rows) {
    lines.push(`| ${name} | ${columns.map((c) => row[c]).join(' | ')} |`);
  }
  return lines.join('\n');
}
