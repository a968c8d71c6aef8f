// What an action costs at the start of a job: each bundle's size (downloaded with the
// repository) and the time `node <bundle> --help` takes to load it, against a bare `node`.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { actionBundles, listActionDirs, repoPath } from '../packages/repo-checks/src/index.ts';
import { type BenchFigure, report } from './report.ts';

const RUNS = 7;

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '' },
    });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const figures: BenchFigure[] = [];
const baseline = medianMs(['-e', '']);
figures.push({ name: 'node -e "" (baseline start-up)', value: Math.round(baseline), unit: 'ms' });
let largest = 0;
let slowest = 0;
for (const dir of listActionDirs()) {
  for (const bundle of actionBundles(dir)) {
    const file = repoPath(bundle);
    let bytes: number;
    try {
      bytes = statSync(bundle).size;
    } catch {
      process.stderr.write(`skipping ${file}: not built (pnpm turbo run build)\n`);
      continue;
    }
    const ms = medianMs([bundle, '--help']);
    largest = Math.max(largest, bytes);
    slowest = Math.max(slowest, ms - baseline);
    figures.push({ name: `${file} size`, value: Math.round(bytes / 1024), unit: 'KiB' });
    figures.push({
      name: `${file} --help (median of ${RUNS})`,
      value: Math.round(ms),
      unit: 'ms',
      note: `+${Math.round(ms - baseline)} ms over bare node`,
    });
  }
}

report({
  package: '@berth/repo-checks',
  title: 'action bundles: size and start-up',
  comparedWith:
    'a bare `node -e ""` start (a composite action that installs its CLI with npx at run time pays a registry download on top)',
  figures,
  summary: `The largest bundle is ${Math.round(largest / 1024)} KiB; the slowest adds ${Math.round(slowest)} ms to a bare node start-up, with nothing to install.`,
});
