import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { REPO_ROOT } from './repo.ts';

/** One ```ts block of a README, as a module of its own. */
export interface ReadmeExample {
  /** The README it comes from, as given (e.g. `README.md`). */
  readme: string;
  /** 1-based README line of the block's first code line. */
  line: number;
  code: string;
}

/** The examples of one README and the names they take for granted. */
export interface ReadmeExamples {
  /** Every `<!-- readme-prelude ... -->` comment's body, in order, joined. */
  prelude: string;
  /** The 1-based README line of each line of {@link ReadmeExamples.prelude}. */
  preludeLines: number[];
  examples: ReadmeExample[];
}

const PRELUDE = /<!--\s*readme-prelude[ \t]*\r?\n([\s\S]*?)-->/g;
const SKIP = /^<!--\s*readme-check:\s*skip\s*-->\s*$/;
const TS_FENCE = /^```(ts|typescript)\s*$/;
const FENCE_END = /^```\s*$/;

/**
 * The ```ts (or ```typescript) blocks of a README. A block right after a line
 * `<!-- readme-check: skip -->` (blank lines between allowed) is left out: for the rare block
 * that is not code to paste (a type signature, a fragment of output).
 */
export function extractExamples(text: string, readme = 'README.md'): ReadmeExamples {
  const parts: string[] = [];
  const preludeLines: number[] = [];
  for (const m of text.matchAll(PRELUDE)) {
    const body = (m[1] ?? '').replace(/\n$/, '');
    const first = text.slice(0, m.index).split('\n').length + 1;
    parts.push(body);
    body.split('\n').forEach((_, k) => {
      preludeLines.push(first + k);
    });
  }
  const prelude = parts.join('\n');
  const lines = text.split('\n');
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i] ?? '';
    if (!TS_FENCE.test(fence)) {
      if (/^```/.test(fence)) i = closingFence(lines, i + 1); // skip other languages' blocks
      continue;
    }
    const start = i + 1;
    const end = closingFence(lines, start);
    if (!skipped(lines, i)) {
      examples.push({ readme, line: start + 1, code: lines.slice(start, end).join('\n') });
    }
    i = end;
  }
  return { prelude, preludeLines, examples };
}

function closingFence(lines: string[], from: number): number {
  let end = from;
  while (end < lines.length && !FENCE_END.test(lines[end] ?? '')) end++;
  return end;
}

function skipped(lines: string[], fenceIndex: number): boolean {
  let j = fenceIndex - 1;
  while (j >= 0 && (lines[j] ?? '').trim() === '') j--;
  return j >= 0 && SKIP.test(lines[j] ?? '');
}

/**
 * Where each workspace package's imports resolve for the check: a published package to its
 * `src/index.ts` (so examples check against the sources, with no build), a private one to the
 * `.ts` files its `exports` map names (`@berth/internal/github-actions`).
 */
export function workspacePaths(root = REPO_ROOT): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  const base = join(root, 'packages');
  for (const dir of readdirSync(base, { withFileTypes: true })) {
    const manifestFile = join(base, dir.name, 'package.json');
    if (!dir.isDirectory() || !existsSync(manifestFile)) continue;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      name?: string;
      exports?: Record<string, unknown>;
    };
    if (!manifest.name) continue;
    const pkgDir = join(base, dir.name);
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === './package.json') continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      const file =
        typeof target === 'string' && target.endsWith('.ts')
          ? join(pkgDir, target)
          : subpath === '.'
            ? join(pkgDir, 'src', 'index.ts')
            : undefined;
      if (file && existsSync(file)) paths[specifier] = [file];
    }
  }
  return paths;
}

/** The outcome of {@link checkReadmeExamples}. */
export interface ReadmeCheckResult {
  ok: boolean;
  /** How many blocks were checked. */
  checked: number;
  /** Compiler errors in the examples, pointed at README lines (`README.md:12:5: error TS...`). */
  errors: string[];
  /**
   * Errors in the sources the examples import (not theirs: the sources' own `tsc -p .`
   * reports them), counted so a reader sees that they were there.
   */
  sourceErrors: number;
}

/**
 * Type-checks the ```ts examples of a package's READMEs under the package's own strict
 * settings, as users paste them: each block is a module of its own, preceded by the README's
 * prelude (`<!-- readme-prelude ... -->`, HTML comments readers do not see), importing
 * `@berth/*` packages from their sources. The modules are written under the package's
 * `node_modules/.readme-check-<pid>` so that their other imports (`@aws-sdk/*`) resolve as the
 * package's own do.
 */
export function checkReadmeExamples(
  packageDir: string,
  readmes: readonly string[] = ['README.md'],
  root = REPO_ROOT,
): ReadmeCheckResult {
  // One folder per run: a test may check the same package while its typecheck runs.
  const work = join(packageDir, 'node_modules', `.readme-check-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    interface Written extends ReadmeExample {
      file: string;
      /** README lines of the lines put before the block's code in its file (the prelude). */
      preludeLines: number[];
    }
    const written: Written[] = [];
    for (const readme of readmes) {
      const text = readFileSync(resolve(packageDir, readme), 'utf8');
      const { prelude, preludeLines, examples } = extractExamples(text, readme);
      for (const example of examples) {
        const name = `${readme.replace(/\W+/g, '-')}-${example.line}.ts`;
        const file = join(work, name);
        const head = preludeLines.length === 0 ? '' : `${prelude}\n`;
        writeFileSync(file, `${head}${example.code}\nexport {};\n`);
        written.push({ ...example, file, preludeLines });
      }
    }
    if (written.length === 0) return { ok: true, checked: 0, errors: [], sourceErrors: 0 };

    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        extends: join(packageDir, 'tsconfig.json'),
        compilerOptions: { noEmit: true, paths: workspacePaths(root) },
        include: written.map((w) => w.file),
      }),
    );
    const tsc = createRequire(join(packageDir, 'package.json')).resolve('typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', work, '--pretty', 'false'], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    if (run.error) throw run.error;
    const errors: string[] = [];
    let sourceErrors = 0;
    // One diagnostic per line starting at column 0; continuation lines are indented.
    let inExample = false;
    for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
      const located = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
      if (located) {
        const [, file = '', row = '0', col = '0', rest = ''] = located;
        const path = isAbsolute(file) ? file : resolve(packageDir, file);
        const example = written.find((w) => w.file === path);
        if (example) {
          const n = Number(row);
          const inPrelude = n <= example.preludeLines.length;
          const readmeLine = inPrelude
            ? example.preludeLines[n - 1]
            : example.line + n - 1 - example.preludeLines.length;
          errors.push(`${example.readme}:${readmeLine}:${col}: ${rest}`);
          inExample = true;
        } else {
          sourceErrors++;
          inExample = false;
        }
      } else if (line.startsWith(' ')) {
        if (inExample) errors[errors.length - 1] += `\n${line}`;
      } else if (line.trim() !== '') {
        // Not tied to a file (a bad option, a missing tsconfig): the check itself failed.
        errors.push(line);
        inExample = false;
      }
    }
    if (run.status !== 0 && errors.length === 0 && sourceErrors === 0) {
      errors.push(`tsc exited with ${run.status ?? run.signal}`);
    }
    // An error in the prelude shows once per block: report it once.
    const unique = [...new Set(errors)];
    return { ok: unique.length === 0, checked: written.length, errors: unique, sourceErrors };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
