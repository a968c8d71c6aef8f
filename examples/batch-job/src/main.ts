#!/usr/bin/env node
// Entry point of the nightly job, as an ECS scheduled task (or cron) runs it:
//   SECRET_ID=batch/nightly-summary HC_PING_URL=https://hc-ping.com/<uuid> node src/main.ts
// Environment: SECRET_ID (default batch/nightly-summary), HC_PING_URL (optional),
// INPUT_FILE (default data/orders.jsonl), OUTPUT_DIR (default <tmp>/nightly-summary),
// REPORT_DAY (default today, UTC).
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runNightlySummary } from './nightly-summary.ts';

const here = import.meta.dirname;
const env = process.env;
try {
  const result = await runNightlySummary({
    secretId: env.SECRET_ID ?? 'batch/nightly-summary',
    ...(env.HC_PING_URL ? { pingUrl: env.HC_PING_URL } : {}),
    inputFile: env.INPUT_FILE ?? resolve(here, '../data/orders.jsonl'),
    outputDir: env.OUTPUT_DIR ?? join(tmpdir(), 'nightly-summary'),
    ...(env.REPORT_DAY ? { day: env.REPORT_DAY } : {}),
    log: (line) => process.stderr.write(`nightly-summary: ${line}\n`),
  });
  const totals = Object.entries(result.totalsCents)
    .map(([currency, cents]) => `${(cents / 100).toFixed(2)} ${currency}`)
    .join(', ');
  process.stdout.write(`${result.paid} paid orders: ${totals} -> ${result.file}\n`);
} catch (error) {
  process.stderr.write(`nightly-summary: failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
