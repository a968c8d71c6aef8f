// Runs every bench/*.bench.ts (or those named on the command line) in its own Node process,
// prints their figures, and writes bench/RESULTS.md. Build first: `pnpm bench` does.
// Usage: node bench/run.ts [name...]   (a name selects the files containing it; then
// RESULTS.md is left alone, since it must hold every benchmark)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from './report.ts';

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const unknown = wanted.filter((w) => !all.some((f) => f.includes(w)));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark matches ${unknown.join(', ')}; there are: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')}\n`,
  );
  process.exit(2);
}
const files = all.filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));
const tmp = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const results: BenchReport[] = [];
let failed = 0;
for (const file of files) {
  const out = join(tmp, `${file}.json`);
  const run = spawnSync(process.execPath, [join(here, file)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_RESULT_FILE: out },
  });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} failed (exit ${run.status ?? run.signal})\n`);
    continue;
  }
  try {
    results.push(JSON.parse(readFileSync(out, 'utf8')) as BenchReport);
  } catch {
    process.stderr.write(`bench: ${file} reported no result\n`);
    failed++;
  }
}
rmSync(tmp, { recursive: true, force: true });

if (wanted.length === 0 && failed > 0) {
  process.stderr.write(
    `\nbench: ${failed} of ${files.length} benchmarks failed; bench/RESULTS.md is left as it was\n`,
  );
} else if (wanted.length === 0) {
  const cpu = cpus()[0]?.model.trim();
  const machine = `${availableParallelism()} CPUs${cpu ? `, ${cpu}` : ''}`;
  const md = [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.versions.node}, ${process.platform}/${process.arch}, ${machine}).`,
    'Each section says what it measures and against what. Benchmarks that talk to AWS use the',
    "moto emulator behind the test kit's latency proxy (its per-call latency is in the title or",
    'in `bench/<name>.bench.ts`), so call counts and sequential rounds are faithful and absolute',
    'times include the injected latency; the ecs-rollback one plays deployments on a simulated',
    'ECS with a fake clock.',
    '',
  ];
  for (const r of results) {
    md.push(
      `## ${r.package}: ${r.title}`,
      '',
      `Compared with: ${r.comparedWith}`,
      '',
      '| figure | value |',
      '|---|---|',
    );
    for (const f of r.figures) {
      const v = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(1);
      md.push(`| ${f.name} | ${v} ${f.unit}${f.note ? ` (${f.note})` : ''} |`);
    }
    md.push('', r.summary, '');
  }
  writeFileSync(join(here, 'RESULTS.md'), `${md.join('\n')}\n`);
  process.stdout.write(`\nbench: wrote bench/RESULTS.md (${results.length} benchmarks)\n`);
}
process.exitCode = failed ? 1 : 0;
