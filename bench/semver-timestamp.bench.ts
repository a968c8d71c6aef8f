// @berth/semver-timestamp: versions per second of the library, and the CLI's start-up time
// against the design source's `date -u +%Y.%m%d.%H%M`. Needs the built CLI (pnpm bench builds).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, timestampVersion } from '../packages/semver-timestamp/src/index.ts';
import { median, report } from './report.ts';

const cli = join(import.meta.dirname, '..', 'packages', 'semver-timestamp', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    `bench: ${cli} is missing; run pnpm --filter @berth/semver-timestamp build\n`,
  );
  process.exit(1);
}

/** Operations per second of `fn` over `n` calls with distinct instants (after a warm-up). */
function perSecond(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < 2_000; i++) fn(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return Math.round(n / ((performance.now() - start) / 1000));
}

/** Median wall time of running a command, in ms. */
function startup(command: string, args: string[], runs = 25): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
  }
  return median(times);
}

const base = Date.UTC(2026, 0, 1);
const step = 7_919; // ms, prime: walks through every second and minute of the year
const utc = perSecond(200_000, (i) => timestampVersion({ date: base + i * step }));
const newYork = perSecond(50_000, (i) =>
  timestampVersion({ date: base + i * step, timeZone: 'America/New_York' }),
);
const versions = Array.from(
  { length: 1_000 },
  (_, i) => timestampVersion({ date: base + i * 1e6 }).version,
);
const parsed = perSecond(200_000, (i) => parse(versions[i % 1_000]!, { precision: 'second' }));

const cliMs = startup(process.execPath, [cli]);
const dateMs = startup('date', ['-u', '+%Y.%m%d.%H%M']);
const nodeMs = startup(process.execPath, ['-e', '0']);

report({
  package: '@berth/semver-timestamp',
  title: 'version generation and CLI start-up',
  comparedWith:
    "the design source's `date -u +%Y.%m%d.%H%M` (invalid SemVer, no DST guard) and bare `node -e 0`",
  figures: [
    { name: 'library, UTC', value: utc, unit: 'versions/s' },
    { name: 'library, America/New_York (DST checks)', value: newYork, unit: 'versions/s' },
    { name: 'parse, UTC', value: parsed, unit: 'versions/s' },
    { name: 'CLI start-up (median of 25)', value: cliMs, unit: 'ms' },
    { name: 'date -u +%Y.%m%d.%H%M (median of 25)', value: dateMs, unit: 'ms' },
    { name: 'node -e 0 (median of 25)', value: nodeMs, unit: 'ms' },
  ],
  summary: `One version costs ${(1e6 / utc).toFixed(1)} µs in UTC and ${(1e6 / newYork).toFixed(0)} µs in a DST zone; the CLI takes ${cliMs.toFixed(0)} ms, ${(cliMs - nodeMs).toFixed(0)} ms over Node's own start-up, against ${dateMs.toFixed(0)} ms for date(1).`,
});
