import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAction } from '@berth/testkit';
import semver from 'semver';
import { beforeAll, describe, expect, it } from 'vitest';

const actionDir = join(import.meta.dirname, '..');

describe('semver-timestamp action (action.yml, as the runner runs it)', () => {
  beforeAll(() => {
    if (!existsSync(join(actionDir, 'dist', 'index.mjs'))) {
      throw new Error(
        'dist/index.mjs is missing: run pnpm --filter @berth/action-semver-timestamp build first',
      );
    }
  });

  it('outputs version, docker-tag and date, and skips setup-node on Node >= 22', async () => {
    const run = await runAction(actionDir, {
      inputs: {
        date: '2026-01-05T18:03:07',
        tz: 'Asia/Tokyo',
        prerelease: 'rc.1',
        build: 'sha.5114f85',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      version: '2026.105.180307-rc.1+sha.5114f85',
      'docker-tag': '2026.105.180307-rc.1_sha.5114f85',
      date: '2026-01-05T09:03:07.000Z',
    });
    expect(run.steps.find((s) => s.kind === 'uses')?.skipped).toBe(true);
    expect(run.summary).toContain('`2026.105.180307-rc.1+sha.5114f85`');
  });

  it('makes a version for now in UTC with no inputs', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const run = await runAction(actionDir);
    expect(run.exitCode).toBe(0);
    expect(semver.valid(run.outputs.version)).toBe(run.outputs.version);
    expect(Date.parse(run.outputs.date!)).toBeGreaterThanOrEqual(before);
  });

  it('writes the version file in the workspace, in the chosen format', async () => {
    const run = await runAction(actionDir, {
      inputs: {
        date: '2026-11-22T14:30:00Z',
        precision: 'minute',
        build: 'b',
        format: 'docker',
        write: 'VERSION',
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.version).toBe('2026.1122.1430+b');
    expect(await readFile(join(run.workspace, 'VERSION'), 'utf8')).toBe('2026.1122.1430_b\n');
  });

  it('moves past after within the same second', async () => {
    const run = await runAction(actionDir, {
      inputs: { date: '2026-01-05T09:03:07Z', after: '2026.105.90307' },
    });
    expect(run.outputs.version).toBe('2026.105.90308');
  });

  it('fails with one error annotation on bad input or a repeated local time, with no outputs', async () => {
    for (const [inputs, message] of [
      [{ tz: 'Mars/Olympus' }, /time zone "Mars\/Olympus" is not an IANA time zone name/],
      [{ format: 'oci' }, /input "format" must be semver or docker/],
      [
        { date: '2026-11-01T01:30', tz: 'America/New_York' },
        /happens twice in America\/New_York.*versions would go backwards/,
      ],
    ] as const) {
      const run = await runAction(actionDir, { inputs });
      expect(run.exitCode).toBe(1);
      expect(run.outputs).toEqual({ version: '', 'docker-tag': '', date: '' });
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
    }
  });
});
