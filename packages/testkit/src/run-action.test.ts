import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateExpression } from './expressions.ts';
import { parseCommandFile, runAction } from './run-action.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('runAction', () => {
  it('runs composite steps with env mapping, conditions and outputs', async () => {
    const run = await runAction(join(fixtures, 'composite'), {
      inputs: { name: '$(touch pwned)' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.message).toBe('hello, $(touch pwned)');
    expect(run.summary).toContain('said it');
    expect(run.steps.map((s) => [s.kind, s.skipped])).toEqual([
      ['run', false],
      ['uses', false],
      ['run', false],
      ['run', true],
    ]);
  });

  it('runs node actions main then post with state', async () => {
    const run = await runAction(join(fixtures, 'node-action'), {
      inputs: { 'group-ids': 'sg-1,sg-2' },
      env: { FAIL_MAIN: '3' },
    });
    expect(run.exitCode).toBe(3);
    expect(run.outputs.opened).toBe('yes');
    expect(run.masks).toEqual(['s3cr3t']);
    expect(run.stdout).toContain('closing sg-1,sg-2');
  });
});

describe('expressions', () => {
  const ctx = {
    inputs: { mode: 'auto', 'github-token': 't' },
    github: {
      event_name: 'pull_request',
      event: { action: 'closed', pull_request: { number: 7 } },
    },
    job: { status: 'success' },
  };
  it('evaluates contexts, operators and functions', () => {
    expect(evaluateExpression("github.event.action == 'CLOSED'", ctx)).toBe(true);
    expect(evaluateExpression('github.event.pull_request.number', ctx)).toBe(7);
    expect(evaluateExpression("inputs.github-token != '' && inputs.mode", ctx)).toBe('auto');
    expect(evaluateExpression('contains(fromJSON(\'["a","b"]\'), \'b\')', ctx)).toBe(true);
    expect(evaluateExpression("format('{0}-{1}', 'pr', 7)", ctx)).toBe('pr-7');
    expect(evaluateCondition("${{ inputs.mode == 'auto' }}", ctx)).toBe(true);
    expect(evaluateCondition('failure()', ctx)).toBe(false);
  });
  it('parses command files in both forms', () => {
    expect(parseCommandFile('a=1\nb<<EOF\nx\ny\nEOF\n')).toEqual({ a: '1', b: 'x\ny' });
  });
});
