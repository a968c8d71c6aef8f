import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addMask,
  getBooleanInput,
  getInput,
  getMultilineInput,
  setOutput,
} from './github-actions.ts';

describe('github actions runner commands', () => {
  it('reads inputs the way the runner names them', () => {
    const env = { 'INPUT_GROUP-IDS': ' sg-1 ', INPUT_WAIT: 'true', INPUT_ENV: 'A=1\n\n# c\nB=2' };
    expect(getInput('group-ids', { env })).toBe('sg-1');
    expect(getBooleanInput('wait', false, env)).toBe(true);
    expect(getBooleanInput('missing', true, env)).toBe(true);
    expect(getMultilineInput('env', env)).toEqual(['A=1', 'B=2']);
    expect(() => getInput('missing', { env, required: true })).toThrow(/required/);
  });

  it('writes multi-line outputs with a delimiter', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gha-')), 'out');
    writeFileSync(file, '');
    setOutput('url', 'line1\nline2', { GITHUB_OUTPUT: file });
    expect(readFileSync(file, 'utf8')).toMatch(
      /^url<<ghadelimiter_.+\nline1\nline2\nghadelimiter_/,
    );
  });

  it('masks multi-line values line by line', () => {
    const lines: string[] = [];
    addMask('-----BEGIN-----\nabc\n\n-----END-----', (s) => lines.push(s));
    expect(lines.map((l) => l.trim())).toEqual([
      '::add-mask::-----BEGIN-----',
      '::add-mask::abc',
      '::add-mask::-----END-----',
    ]);
  });
});
