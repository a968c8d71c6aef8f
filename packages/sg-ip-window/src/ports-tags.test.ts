import { describe, expect, it } from 'vitest';
import { formatPorts, parsePorts, parseProtocol } from './ports.ts';
import {
  checkOwner,
  defaultDescription,
  defaultOwner,
  distinctOwner,
  HOLD_TAG_PREFIX,
  liveHolds,
  readRuleTags,
} from './tags.ts';

describe('parsePorts', () => {
  it('takes numbers, ranges, objects and comma lists, without duplicates', () => {
    expect(parsePorts(22)).toEqual([{ from: 22, to: 22 }]);
    expect(parsePorts(['22, 8000-8100', { from: 22, to: 22 }, '443'])).toEqual([
      { from: 22, to: 22 },
      { from: 8000, to: 8100 },
      { from: 443, to: 443 },
    ]);
    expect(formatPorts({ from: 8000, to: 8100 })).toBe('8000-8100');
  });

  it.each([[0], [65536], ['22-'], ['ssh'], ['-1'], [{ from: 30, to: 20 }], [[]], [1.5]])(
    'refuses %j',
    (input) => {
      expect(() => parsePorts(input as never)).toThrow(
        expect.objectContaining({ code: 'E_INPUT' }),
      );
    },
  );

  it('knows tcp and udp only', () => {
    expect(parseProtocol(undefined)).toBe('tcp');
    expect(parseProtocol(' UDP ')).toBe('udp');
    expect(() => parseProtocol('-1')).toThrow('use tcp or udp');
  });
});

describe('owners and tags', () => {
  it('names the GitHub run, attempt, job and runner by default', () => {
    expect(
      defaultOwner({
        GITHUB_RUN_ID: '99',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_JOB: 'deploy',
        RUNNER_NAME: 'GitHub Actions 7',
      }),
    ).toBe('gh:acme/app/run/99.2/deploy/GitHub Actions 7');
    expect(defaultOwner({})).toMatch(/^.+@.+$/);
  });

  it('tells holders sharing a default owner apart with a suffix', () => {
    const env = { GITHUB_RUN_ID: '99', GITHUB_REPOSITORY: 'acme/app', GITHUB_JOB: 'deploy' };
    expect(distinctOwner('step/__berth-dev_berth_2', env)).toBe(
      'gh:acme/app/run/99.1/deploy/runner/step/__berth-dev_berth_2',
    );
    const long = { ...env, GITHUB_REPOSITORY: `acme/${'x'.repeat(120)}` };
    const a = distinctOwner('step/one', long);
    const b = distinctOwner('step/two', long);
    expect(a).not.toBe(b);
    expect(checkOwner(a)).toBe(a);
    expect(checkOwner(b)).toBe(b);
  });

  it('keeps a long or odd default owner a valid, distinct tag key', () => {
    const long = (job: string) =>
      defaultOwner({
        GITHUB_RUN_ID: '1',
        GITHUB_REPOSITORY: `acme/${'x'.repeat(120)}`,
        GITHUB_JOB: job,
      });
    const a = long('deploy-a');
    const b = long('deploy-b');
    expect(`${HOLD_TAG_PREFIX}${a}`.length).toBeLessThanOrEqual(128);
    expect(a).not.toBe(b);
    expect(checkOwner(a)).toBe(a);
    expect(defaultOwner({ GITHUB_RUN_ID: '1', GITHUB_JOB: 'déploy|1' })).toContain('d-ploy-1');
  });

  it('makes a description within AWS limits', () => {
    const d = defaultDescription(
      'gh:acme/app/run/1.1/deploy/runner',
      new Date('2030-01-01T00:00:00Z'),
    );
    expect(d).toBe(
      'sg-ip-window: gh:acme/app/run/1.1/deploy/runner until 2030-01-01T00:00:00.000Z',
    );
  });

  it('reads holds and counts unreadable expiries as live', () => {
    const state = readRuleTags([
      { Key: 'sg-ip-window:owner', Value: 'a' },
      { Key: 'sg-ip-window:expires-at', Value: '2030-01-01T01:00:00Z' },
      { Key: `${HOLD_TAG_PREFIX}a`, Value: '2030-01-01T01:00:00Z' },
      { Key: `${HOLD_TAG_PREFIX}b`, Value: 'soon' },
      { Key: `${HOLD_TAG_PREFIX}c`, Value: '2029-01-01T00:00:00Z' },
    ]);
    expect(state.ours).toBe(true);
    expect(liveHolds(state, Date.parse('2030-01-01T00:00:00Z'))).toEqual(['a', 'b']);
    expect(liveHolds(state, Date.parse('2030-01-01T00:00:00Z'), 'a')).toEqual(['b']);
    expect(readRuleTags(undefined).ours).toBe(false);
  });
});
