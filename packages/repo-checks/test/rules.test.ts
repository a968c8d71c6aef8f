import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actionBundles,
  actionlint,
  bundleImports,
  checkActionMetadata,
  checkBundle,
  checkWorkflowStructure,
  isUntrustedExpression,
  pinProblem,
} from '../src/index.ts';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

function actionDir(yml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'repo-checks-'));
  writeFileSync(join(dir, 'action.yml'), yml);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const messages = (dir: string) => checkActionMetadata(dir).map((p) => p.message);

describe('action metadata rules', () => {
  it('accepts a well-formed composite action', () => {
    const dir = actionDir(`name: ok
description: Does one thing.
branding: { icon: anchor, color: blue }
inputs:
  who: { description: Who, default: world }
outputs:
  said: { description: What, value: '\${{ steps.say.outputs.said }}' }
runs:
  using: composite
  steps:
    - uses: actions/checkout@${SHA} # v4.2.2
    - id: say
      shell: bash
      env: { INPUT_WHO: '\${{ inputs.who }}' }
      run: node "$GITHUB_ACTION_PATH/dist/index.mjs"
`);
    expect(messages(dir)).toEqual([]);
    expect(actionBundles(dir)).toEqual([join(dir, 'dist/index.mjs')]);
  });

  it('reports every rule a composite action breaks', () => {
    const dir = actionDir(`name: bad
description: ''
inputs:
  who: {}
  unused: { description: never passed }
outputs:
  said: { description: What }
  ghost: { description: Nope, value: '\${{ steps.nope.outputs.x }}' }
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
    - run: echo "\${{ inputs.who }} \${{ inputs.typo }}"
`);
    const got = messages(dir).join('\n');
    for (const expected of [
      '"description" is missing or empty',
      'input "who" has no description',
      '"branding" (icon and color) is missing',
      'output "said" of a composite action needs a "value"',
      'pinned by full commit SHA',
      'composite run steps need "shell"',
      'inside "run" is evaluated into the script',
      'reads undeclared input "typo"',
      'reads step "nope"',
      'input "unused" is declared but never passed',
    ]) {
      expect(got).toContain(expected);
    }
  });

  it('requires node24 and entry files that exist', () => {
    const dir = actionDir(
      `name: js
description: A JavaScript action.
branding: { icon: shield, color: purple }
runs: { using: node20, main: dist/index.mjs, post: dist/post.mjs }
`,
      { 'dist/index.mjs': '' },
    );
    const got = messages(dir).join('\n');
    expect(got).toContain('must use node24');
    expect(got).toContain('runs.post "dist/post.mjs" does not exist');
    expect(got).not.toContain('runs.main');
    expect(actionBundles(dir)).toEqual([join(dir, 'dist/index.mjs'), join(dir, 'dist/post.mjs')]);
  });
});

describe('workflow rules', () => {
  const good = `name: ci
on: { pull_request: {} }
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions: { contents: read }
    steps:
      - uses: actions/checkout@${SHA} # v4.2.2
      - uses: ./actions/preview-env
      - env: { TITLE: '\${{ github.event.pull_request.title }}' }
        run: echo "$TITLE"
`;
  it('accepts a hardened workflow', async () => {
    expect(checkWorkflowStructure(good, 'ci.yml')).toEqual([]);
    expect(await actionlint(good, 'ci.yml')).toEqual([]);
  });

  it('flags unpinned actions, missing permissions and event fields in run', async () => {
    const bad = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "\${{ github.head_ref }}"
      - {}
`;
    const got = checkWorkflowStructure(bad, 'bad.yml')
      .map((p) => `${p.line ?? ''} ${p.message}`)
      .join('\n');
    expect(got).toContain('top-level "permissions" is missing');
    expect(got).toContain(
      '6 job "a" step 1: actions/checkout@v4: third-party actions must be pinned',
    );
    expect(got).toContain(
      '7 job "a" step 2: ${{ github.head_ref }} inside "run" is attacker-controlled',
    );
    expect(got).toContain('step 3 must have exactly one of "run" or "uses"');
    const spliced = `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: v
        run: echo "x=1" >> "$GITHUB_OUTPUT"
      - run: echo "\${{ steps.v.outputs.x }}"
`;
    expect(checkWorkflowStructure(spliced, 'spliced.yml').map((p) => p.message)).toEqual([
      'job "a" step 2: ${{ steps.v.outputs.x }} inside "run" is spliced into the script; pass it through "env:"',
    ]);
    expect(
      checkWorkflowStructure(spliced, 'spliced.yml', { allowTrustedExpressionsInRun: true }),
    ).toEqual([]);
    const lint = await actionlint(bad, 'bad.yml');
    expect(lint.some((p) => p.message.includes('potentially untrusted'))).toBe(true);
  });

  it('knows which expressions are attacker-controlled and which uses are pinned', () => {
    expect(isUntrustedExpression('github.event.pull_request.head.ref')).toBe(true);
    expect(isUntrustedExpression('github.event.commits[0].message')).toBe(true);
    expect(isUntrustedExpression('github.event.pull_request.number')).toBe(false);
    expect(pinProblem(`actions/checkout@${SHA}`)).toBeUndefined();
    expect(pinProblem('./actions/x')).toBeUndefined();
    expect(pinProblem('berth-dev/berth/actions/preview-env@v1')).toBeUndefined();
    expect(pinProblem('docker://alpine:3')).toContain('digest');
    expect(pinProblem('owner/repo')).toContain('40-hex');
  });
});

describe('bundle rules', () => {
  it('finds real import sites, not text in strings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    const file = join(dir, 'x.mjs');
    writeFileSync(
      file,
      `import{a as b}from"node:fs";import c from 'left-pad';const d=await import("node:path");const e=require("chalk");` +
        `throw new Error('register it with [require("@aws-sdk/signature-v4-crt");] or [import "@aws-sdk/signature-v4a";]');`,
    );
    expect(await bundleImports(file)).toEqual(['chalk', 'left-pad', 'node:fs', 'node:path']);
  });

  it('accepts a self-contained bundle and rejects one that is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    mkdirSync(join(dir, 'dist'));
    const good = join(dir, 'dist', 'good.mjs');
    writeFileSync(
      good,
      `import{argv}from"node:process";if(argv.includes("--help"))console.log("Usage: x");`,
    );
    expect((await checkBundle(good)).problems).toEqual([]);
    const bad = join(dir, 'dist', 'bad.mjs');
    writeFileSync(bad, `import x from "left-pad";console.log(x);`);
    const got = (await checkBundle(bad, 10)).problems.map((p) => p.message).join('\n');
    expect(got).toContain('over the 0 KiB budget');
    expect(got).toContain('bundle loads left-pad');
    expect(got).toContain('--help" exited 1');
    expect((await checkBundle(join(dir, 'missing.mjs'))).problems[0]?.message).toContain(
      'bundle missing',
    );
  });
});
