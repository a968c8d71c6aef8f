// Runs every bench/*.bench.ts (or those named on the command line) in its own Node process,
// prints their figures, and writes bench/RESULTS.md. Build first: `pnpm bench` does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from './report.ts';

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
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
    process.stderr.write(`bench: ${file} failed (exit ${run.status})\n`);
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

if (wanted.length === 0) {
  const md = [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.versions.node}, 2-core machine).`,
    "AWS figures come from the moto emulator behind the test kit's latency proxy, so they count",
    'calls and sequential rounds faithfully; absolute times include the injected latency.',
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
