// README examples are code users paste (issue 12): every published package type-checks the
// ```ts blocks of its README in its `typecheck` script, with the one shared checker
// (src/check-readme.ts); these tests hold that wiring and the checker's own behaviour.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedPackages } from '../src/layout.ts';
import { checkReadmeExamples, extractExamples, workspacePaths } from '../src/readme-examples.ts';
import { REPO_ROOT } from '../src/repo.ts';

const SHARED = 'node ../repo-checks/src/check-readme.ts';

describe.each(publishedPackages().map((p) => [p.name, p.dir] as const))('package %s', (_, dir) => {
  it('type-checks its README examples with the shared checker', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    expect(manifest.scripts?.typecheck ?? '').toContain(SHARED);
    expect(existsSync(join(dir, 'scripts', 'check-readme.ts')), 'a copy of its own').toBe(false);
  });
});

describe('extractExamples', () => {
  const readme = [
    '# pkg', // 1
    '<!-- readme-prelude', // 2
    'declare const uuid: string;', // 3
    '-->', // 4
    '```sh', // 5
    '```ts', // 6: inside a sh block, not a ts fence
    '```', // 7
    '```ts', // 8
    'const a = uuid;', // 9
    '```', // 10
    '<!-- readme-check: skip -->', // 11
    '', // 12
    '```ts', // 13
    'type Sig = (x: Nope) => void;', // 14
    '```', // 15
    '<!-- readme-prelude', // 16
    'declare function deploy(): Promise<void>;', // 17
    '-->', // 18
    '```typescript', // 19
    'await deploy();', // 20
    '```', // 21
  ].join('\n');

  it('finds the ts blocks, their README lines and every prelude', () => {
    const { prelude, preludeLines, examples } = extractExamples(readme);
    expect(examples.map((e) => [e.line, e.code])).toEqual([
      [9, 'const a = uuid;'],
      [20, 'await deploy();'],
    ]);
    expect(prelude.split('\n')).toEqual([
      'declare const uuid: string;',
      'declare function deploy(): Promise<void>;',
    ]);
    expect(preludeLines).toEqual([3, 17]);
  });
});

describe('workspacePaths', () => {
  it('resolves published packages to their sources and private ones to their exports', () => {
    const paths = workspacePaths();
    expect(paths['@berth/semver-timestamp']).toEqual([
      join(REPO_ROOT, 'packages/semver-timestamp/src/index.ts'),
    ]);
    expect(paths['@berth/internal/github-actions']).toEqual([
      join(REPO_ROOT, 'packages/internal/src/github-actions.ts'),
    ]);
  });
});

describe('checkReadmeExamples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readme-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('points each error at its README line, prelude errors included', () => {
    const readme = join(dir, 'README.md');
    writeFileSync(
      readme,
      [
        '<!-- readme-prelude', // 1
        'declare const when: string;', // 2
        'declare const broken: Missing;', // 3
        '-->', // 4
        '```ts', // 5
        "import { parse } from '@berth/semver-timestamp';", // 6
        '', // 7
        'parse(when).date.toISOString();', // 8
        '```', // 9
        '', // 10
        '```ts', // 11
        "import { secretsEnv } from '@berth/secrets-env-loader';", // 12
        "const n: number = 'one';", // 13
        '```', // 14
      ].join('\n'),
    );
    // Checked as if it were semver-timestamp's README: its settings, its node_modules.
    const result = checkReadmeExamples(join(REPO_ROOT, 'packages/semver-timestamp'), [readme]);
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(2);
    const lines = result.errors.map((e) => e.replace(/^.*README\.md:/, 'README.md:'));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^README\.md:3:\d+: error TS2304: Cannot find name 'Missing'/),
        expect.stringMatching(/^README\.md:12:\d+: error TS2305: .*'secretsEnv'/),
        expect.stringMatching(/^README\.md:13:\d+: error TS2322: /),
      ]),
    );
    expect(lines.some((l) => l.startsWith('README.md:8:'))).toBe(false);
    expect(
      lines.filter((l) => l.startsWith('README.md:3:')),
      'once, not once per block',
    ).toHaveLength(1);
  }, 120_000);
});
