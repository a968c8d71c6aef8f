// Wall time `heartbeat run` adds to a job, against a local Healthchecks-compatible server:
// `heartbeat run -- true` versus plain `true`, and versus the design source's way of
// reporting (`curl` the ping URL after the job, as the Healthchecks docs show it). The
// start-up target (issue 12): `heartbeat run -- true` at most 1.5 times `node -e 0`, as the
// ratio of the medians of interleaved runs (BENCH_RUNS, default 20). Two floors show what
// any Node.js implementation pays (bench/heartbeat-floor.mjs: spawn with piped output, two
// pings, nothing else), with Node's own HTTP client and with HTTP written on a raw socket. A
// second scenario gives the server 100 ms of latency and the job 300 ms of work: heartbeat's
// start ping runs alongside the job, so only the final ping adds to the wall time.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startHealthchecksServer } from '../packages/testkit/src/healthchecks-server.ts';
import { type BenchFigure, median, report } from './report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SLOW_RUNS = 10;
const root = join(import.meta.dirname, '..');
const built = join(root, 'packages/heartbeat-client/dist/cli.js');
const cli = existsSync(built) ? built : join(root, 'packages/heartbeat-client/src/cli.ts');
const undiciEntry = join(root, 'packages/heartbeat-client/node_modules/undici/index.js');
/** The start-up target of issue 12: `heartbeat run -- true` / `node -e 0`. */
const TARGET_RATIO = 1.5;

function timed(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      if (code !== 0)
        reject(new Error(`${args.at(-1) ?? command} exited ${code}: ${stderr.trim()}`));
      else resolve(elapsed);
    });
  });
}

const hc = await startHealthchecksServer({ pingBodyLimit: 100_000 });
const check = hc.addCheck({ name: 'bench' });
const url = hc.pingUrlOf(check);

type Way = { name: string; argv: (job: readonly string[]) => string[] };
const floor = join(import.meta.dirname, 'heartbeat-floor.mjs');
/** The floor's run id: its pings are told apart from heartbeat's by it. */
const FLOOR_RID = '00000000-0000-4000-8000-00000000f100';
const node = process.execPath;
const ways: Way[] = [
  { name: 'plain job', argv: (job) => [...job] },
  {
    name: 'curl after the job',
    argv: (job) => [
      'sh',
      '-c',
      `${job.join(' ')} && curl -fsS -m 10 --retry 5 -o /dev/null ${url}`,
    ],
  },
  { name: 'heartbeat run', argv: (job) => [node, cli, 'run', '--ping-url', url, '--', ...job] },
  { name: 'node startup alone', argv: () => [node, '-e', '0'] },
  { name: 'floor, node:http', argv: (job) => [node, floor, 'http', url, FLOOR_RID, ...job] },
  { name: 'floor, raw socket', argv: (job) => [node, floor, 'net', url, FLOOR_RID, ...job] },
  {
    name: 'node + undici load',
    argv: () => [node, '--input-type=module', '-e', `await import(${JSON.stringify(undiciEntry)})`],
  },
];

async function measure(job: readonly string[], runs: number): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(ways.map((w) => [w.name, []]));
  const timedWay = (w: Way) => {
    const [command, ...args] = w.argv(job) as [string, ...string[]];
    return timed(command, args);
  };
  for (const w of ways) await timedWay(w); // warm caches
  // Interleaved, so drift in machine load hits every way alike.
  for (let i = 0; i < runs; i++) {
    for (const w of ways) samples.get(w.name)?.push(await timedWay(w));
  }
  return new Map([...samples].map(([k, v]) => [k, median(v)]));
}

const fast = await measure(['true'], RUNS);
const pingsBefore = check.pings.filter((p) => p.rid !== FLOOR_RID).length;
hc.fault({ target: 'ping', kind: 'slow', delayMs: 100 });
const slow = await measure(['sleep', '0.3'], SLOW_RUNS);
hc.clearFaults();
await hc.close();

const get = (m: Map<string, number>, k: string) => m.get(k) as number;
const round = (n: number) => Math.round(n * 10) / 10;
const ms = (m: Map<string, number>, k: string) => Math.round(get(m, k) - get(m, 'plain job'));
const ratio = get(fast, 'heartbeat run') / get(fast, 'node startup alone');
const floorRatio = (m: Map<string, number>, k: string) =>
  (get(m, k) / get(m, 'node startup alone')).toFixed(2);
const figures: BenchFigure[] = [
  {
    name: 'start-up: `heartbeat run -- true` / `node -e 0` (medians)',
    value: Math.round(ratio * 100) / 100,
    unit: 'x',
    note: `target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}`,
  },
  { name: '`true` alone (median)', value: round(get(fast, 'plain job')), unit: 'ms' },
  {
    name: '`heartbeat run -- true` (median)',
    value: round(get(fast, 'heartbeat run')),
    unit: 'ms',
    note: cli === built ? 'built CLI' : 'CLI from source',
  },
  {
    name: 'added by heartbeat run (2 pings)',
    value: round(get(fast, 'heartbeat run') - get(fast, 'plain job')),
    unit: 'ms',
  },
  {
    name: 'added by curl after the job (1 ping)',
    value: round(get(fast, 'curl after the job') - get(fast, 'plain job')),
    unit: 'ms',
  },
  { name: 'Node.js startup alone', value: round(get(fast, 'node startup alone')), unit: 'ms' },
  {
    name: 'floor with node:http: spawn + 2 pings, nothing else',
    value: round(get(fast, 'floor, node:http')),
    unit: 'ms',
    note: `${floorRatio(fast, 'floor, node:http')} x node -e 0`,
  },
  {
    name: 'floor with HTTP on a raw socket',
    value: round(get(fast, 'floor, raw socket')),
    unit: 'ms',
    note: `${floorRatio(fast, 'floor, raw socket')} x node -e 0`,
  },
  {
    name: 'Node.js startup + loading undici (no longer on the ping path)',
    value: round(get(fast, 'node + undici load')),
    unit: 'ms',
  },
  {
    name: '100 ms server, 300 ms job: added by heartbeat run',
    value: round(get(slow, 'heartbeat run') - get(slow, 'plain job')),
    unit: 'ms',
  },
  {
    name: '100 ms server, 300 ms job: added by curl',
    value: round(get(slow, 'curl after the job') - get(slow, 'plain job')),
    unit: 'ms',
  },
  {
    name: 'pings recorded (fast scenario)',
    value: pingsBefore,
    unit: 'pings',
    note: `${RUNS + 1} runs each`,
  },
];

report({
  package: '@berth/heartbeat-client',
  title: 'wall time added to a job by `heartbeat run` (local server)',
  comparedWith:
    'the design source: `curl -fsS -m 10 --retry 5 -o /dev/null <ping URL>` after the job',
  figures,
  summary: `heartbeat run -- true takes ${ratio.toFixed(2)} times as long as node -e 0 (target ${TARGET_RATIO}): it adds ${ms(fast, 'heartbeat run')} ms to a trivial job against ${ms(fast, 'curl after the job')} ms for curl, ${Math.round(get(fast, 'node startup alone'))} ms of it starting Node.js, the rest loading the CLI, spawning the job and two local round trips over Node's own HTTP client. Any Node.js implementation pays ${floorRatio(fast, 'floor, node:http')} x node -e 0 with Node's own HTTP client (${floorRatio(fast, 'floor, raw socket')} x with HTTP written on a raw socket) before options, checks, retries, timeouts or output handling (undici, ${Math.round(get(fast, 'node + undici load') - get(fast, 'node startup alone'))} ms to load, is no longer on this path). With a 100 ms server and a 300 ms job it adds ${ms(slow, 'heartbeat run')} ms against curl's ${ms(slow, 'curl after the job')} ms: the start ping overlaps the job, so only the final ping waits.`,
});
