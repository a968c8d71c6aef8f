import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addMask,
  annotate,
  getBooleanInput,
  getInput,
  getMultilineInput,
  info,
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

  it('logs input and AWS text on one line that cannot start a workflow command', () => {
    const lines: string[] = [];
    info('image: nginx:1\n::stop-commands::x', (s) => lines.push(s));
    info('::add-mask::x', (s) => lines.push(s));
    info('key ##[set-output name=a]b', (s) => lines.push(s));
    expect(lines.join('')).toBe(
      'image: nginx:1\\n::stop-commands::x\n\\x3a:add-mask::x\nkey #\\x23[set-output name=a]b\n',
    );
  });

  it('keeps an annotation inside its command: line breaks escaped the runner way, controls shown', () => {
    const lines: string[] = [];
    annotate('error', 'bad image "a\n::stop-commands::x"\u001b[2J', (s) => lines.push(s));
    expect(lines).toEqual(['::error::bad image "a%0A::stop-commands::x"\\x1b[2J\n']);
  });

  it('refuses an output name that would write a second entry', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gha-')), 'out');
    writeFileSync(file, '');
    expect(() => setOutput('a\nb', 'x', { GITHUB_OUTPUT: file })).toThrow(/line break/);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('quotes a bad boolean input, cut when long', () => {
    expect(() => getBooleanInput('wait', false, { INPUT_WAIT: 'y'.repeat(1000) })).toThrow(
      /must be true or false, got "y+…" \(1000 characters\)$/,
    );
  });
});
