import { writeFileSync } from 'node:fs';

/** One figure of a benchmark. */
export interface BenchFigure {
  /** What was measured, e.g. "heartbeat run -- true (median)". */
  name: string;
  value: number;
  /** Unit: ms, calls, rounds, MB, ... */
  unit: string;
  note?: string;
}

/** What a benchmark file reports: its figures and what they are compared against. */
export interface BenchReport {
  /** Package the benchmark belongs to, e.g. `@berth/heartbeat-client`. */
  package: string;
  title: string;
  /** The baseline, in words (e.g. "the GitHub action's one GetSecretValue per secret"). */
  comparedWith: string;
  figures: BenchFigure[];
  /** One or two sentences: the result in plain words. */
  summary: string;
}

/**
 * Prints a report as a table and hands it to `bench/run.ts` (through BENCH_RESULT_FILE) so
 * it lands in bench/RESULTS.md. Call once at the end of a benchmark file.
 */
export function report(result: BenchReport): void {
  const width = Math.max(...result.figures.map((f) => f.name.length));
  const lines = [`\n${result.package}: ${result.title}`, `  compared with: ${result.comparedWith}`];
  for (const f of result.figures) {
    lines.push(
      `  ${f.name.padEnd(width)}  ${formatValue(f.value)} ${f.unit}${f.note ? `  (${f.note})` : ''}`,
    );
  }
  lines.push(`  => ${result.summary}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const out = process.env.BENCH_RESULT_FILE;
  if (out) writeFileSync(out, JSON.stringify(result));
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** Median of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
