import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

// The contract is the built CLI's: these tests run dist/cli.js as users run it.
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TZ: 'America/New_York' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage failure: exit 2, nothing on stdout, exactly one line on stderr. */
function expectBadInput(result: ReturnType<typeof run>, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n')).toHaveLength(2);
  expect(result.stderr).toMatch(/^semver-timestamp: error: /);
  expect(result.stderr).toMatch(message);
}

describe('semver-timestamp CLI (dist/cli.js)', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(cli)) {
      throw new Error(`${cli} is missing: run pnpm --filter @berth/semver-timestamp build first`);
    }
    dir = await mkdtemp(join(tmpdir(), 'semver-timestamp-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a version for now, in UTC whatever TZ says', () => {
    const before = Date.now();
    const r = run();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const version = r.stdout.trim();
    expect(semver.valid(version)).toBe(version);
    const printed = run('parse', version, '--precision', 'second');
    const instant = Date.parse(printed.stdout.trim());
    expect(instant).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(instant).toBeLessThanOrEqual(Date.now());
  });

  it('prints the issue examples', () => {
    expect(run('--date', '2026-01-05T09:03:07Z').stdout).toBe('2026.105.90307\n');
    expect(run('--date', '2026-11-22T14:30:00Z').stdout).toBe('2026.1122.143000\n');
    expect(run('--date', '2026-11-22T14:30:00Z', '--precision', 'minute').stdout).toBe(
      '2026.1122.1430\n',
    );
    expect(run('generate', '--date', '2026-01-05T09:03:07Z').stdout).toBe('2026.105.90307\n');
  });

  it('prints JSON with version, dockerTag, date, timeZone and precision', () => {
    const r = run(
      '--date',
      '2026-01-05T18:03:07',
      '--tz',
      'Asia/Tokyo',
      '--prerelease',
      'rc.1',
      '--build',
      'sha.5114f85',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      version: '2026.105.180307-rc.1+sha.5114f85',
      dockerTag: '2026.105.180307-rc.1_sha.5114f85',
      date: '2026-01-05T09:03:07.000Z',
      timeZone: 'Asia/Tokyo',
      precision: 'second',
      prerelease: 'rc.1',
      build: 'sha.5114f85',
    });
  });

  it('prints the Docker tag form with --format docker', () => {
    const r = run('--date', '2026-01-05T09:03:07Z', '--build', 'sha.1', '--format', 'docker');
    expect(r.stdout).toBe('2026.105.90307_sha.1\n');
  });

  it('is strictly greater than --after in the same second', () => {
    const first = run('--date', '2026-01-05T09:03:07.100Z').stdout.trim();
    const second = run('--date', '2026-01-05T09:03:07.900Z', '--after', first).stdout.trim();
    expect(second).toBe('2026.105.90308');
    expect(semver.gt(second, first)).toBe(true);
  });

  it('writes the version and a newline with --write, and prints it too', async () => {
    const file = join(dir, 'VERSION');
    const r = run('--date', '2026-01-05T09:03:07Z', '--write', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2026.105.90307\n');
    expect(await readFile(file, 'utf8')).toBe('2026.105.90307\n');
    run('--date', '2026-01-05T09:03:07Z', '--build', 'b', '--format', 'docker', '--write', file);
    expect(await readFile(file, 'utf8')).toBe('2026.105.90307_b\n');
    expect(await readdir(dir)).toEqual(['VERSION']);
  });

  it('exits 1 with one line when --write cannot write, and writes nothing', () => {
    const r = run('--date', '2026-01-05T09:03:07Z', '--write', join(dir, 'no', 'VERSION'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^semver-timestamp: error: cannot write version file .*\(ENOENT\)/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('parse prints the ISO instant, or JSON', () => {
    expect(run('parse', '2026.105.90307').stdout).toBe('2026-01-05T09:03:07.000Z\n');
    expect(run('parse', '2026.105.180307', '--tz', 'Asia/Tokyo').stdout).toBe(
      '2026-01-05T09:03:07.000Z\n',
    );
    const r = run('parse', '2026.1122.1430-rc.1_b', '--precision', 'minute', '--json');
    expect(JSON.parse(r.stdout)).toEqual({
      version: '2026.1122.1430-rc.1+b',
      date: '2026-11-22T14:30:00.000Z',
      timeZone: 'UTC',
      precision: 'minute',
      prerelease: 'rc.1',
      build: 'b',
    });
  });

  it('exits 2 with a one-line error on bad input', () => {
    expectBadInput(run('--date', 'yesterday'), /date "yesterday" is not an ISO-8601 date-time/);
    expectBadInput(run('--tz', 'Mars/Olympus'), /time zone "Mars\/Olympus" is not an IANA/);
    expectBadInput(
      run('--precision', 'hour'),
      /--precision must be one of second, minute; got "hour"/,
    );
    expectBadInput(run('--prerelease', '01'), /prerelease "01" is not valid SemVer/);
    expectBadInput(run('--build', 'a+b'), /build metadata "a\+b" is not valid SemVer/);
    expectBadInput(run('--format', 'oci'), /--format must be one of semver, docker; got "oci"/);
    expectBadInput(run('--after', 'latest'), /after "latest" is not a SemVer version/);
    expectBadInput(run('--date'), /--date needs a value/);
    expectBadInput(run('--nope'), /unknown option --nope/);
    expectBadInput(run('bump'), /unknown command "bump"/);
    expectBadInput(run('parse'), /missing <version>/);
    expectBadInput(run('parse', '1.2.3'), /"1\.2\.3" is not a timestamp version/);
    expectBadInput(
      run('parse', '2026.1122.1430', '--precision', 'minute', '--precision', 'second'),
      /--precision given more than once/,
    );
    expectBadInput(
      run('--date', '2026-01-05T09:03:07Z', '--date', '2027-01-05T09:03:07Z'),
      /--date given more than once/,
    );
    expectBadInput(
      run('parse', '2026.1122.1460', '--precision', 'minute'),
      /1460 is not a time of day at minute precision/,
    );
    // A 100 KB argument is not echoed in full.
    const long = run('--date', 'x'.repeat(100_000));
    expectBadInput(long, /\(100000 characters\)/);
    expect(long.stderr.length).toBeLessThan(400);
  });

  it('reads back versions made in the hour after midnight UTC (issue 12)', () => {
    for (const [date, version] of [
      ['2026-12-18T00:23:53Z', '2026.1218.2353'],
      ['2027-01-01T00:00:00Z', '2027.101.0'],
      ['2026-12-18T00:59:59Z', '2026.1218.5959'],
    ] as const) {
      expect(run('--date', date).stdout).toBe(`${version}\n`);
      expect(run('parse', version).stdout).toBe(`${date.replace('Z', '.000Z')}\n`);
    }
    expect(run('parse', '2026.1122.1430', '--precision', 'minute').stdout).toBe(
      '2026-11-22T14:30:00.000Z\n',
    );
  });

  it('refuses an --after nothing can follow: E_INVALID_AFTER, exit 2 (issue 13)', () => {
    expectBadInput(
      run('--date', '9999-12-31T23:59:59Z', '--after', '9999.1231.235959'),
      /after "9999\.1231\.235959" is the last second/,
    );
  });

  it('with --json prints the error as {"error": ...} on stdout too', () => {
    const r = run('--date', 'yesterday', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^semver-timestamp: error: date "yesterday"/);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        name: 'SemverTimestampError',
        code: 'E_INVALID_DATE',
        message: expect.stringMatching(/^date "yesterday" is not an ISO-8601 date-time/),
        retryable: false,
      },
    });
    const usage = run('parse', '--json');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({
      error: { code: 'E_INPUT', message: 'missing <version>' },
    });
  });

  it('refuses local times daylight saving repeats or skips, with one line', () => {
    expectBadInput(
      run('--date', '2026-11-01T01:30', '--tz', 'America/New_York'),
      /local time 2026-11-01T01:30:00 happens twice in America\/New_York.*versions would go backwards/,
    );
    expectBadInput(
      run('--date', '2026-03-29T01:30', '--tz', 'Europe/London'),
      /local time 2026-03-29T01:30:00 does not exist in Europe\/London/,
    );
  });

  it('answers --help and --version', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('semver-timestamp parse <version>');
    expect(help.stdout).toContain('[--precision second|minute]');
    expect(run('parse', '--help').stdout).toContain('Usage: semver-timestamp parse <version>');
    expect(run('--version').stdout).toBe(`${pkg.version}\n`);
  });
});
