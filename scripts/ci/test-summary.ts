// Sums the vitest "Tests ..." lines of a turbo run log into one closing line,
// `tests: N passed, N failed, N skipped`, so a reader of CI output sees the whole count.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node scripts/ci/test-summary.ts <turbo-test-log>\n');
  process.exit(2);
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in captured logs
const ansi = /\u001b\[[0-9;]*m/g;
const totals = { passed: 0, failed: 0, skipped: 0 };
let runs = 0;
for (const raw of readFileSync(file, 'utf8').split('\n')) {
  const line = raw.replace(ansi, '');
  const m = /\bTests\s+(.+?)\s+\(\d+\)\s*$/.exec(line);
  if (!m) continue;
  runs++;
  for (const part of (m[1] as string).split('|')) {
    const n = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part);
    if (!n) continue;
    const kind = n[2] === 'todo' ? 'skipped' : (n[2] as keyof typeof totals);
    totals[kind] += Number(n[1]);
  }
}
process.stdout.write(
  `\n${runs} test runs\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
