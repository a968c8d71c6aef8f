import { createHmac } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitor } from '@berth/heartbeat-client';
import { loadSecrets } from '@berth/secrets-env-loader';
import { type OrdersSummary, summariseOrders } from './summarise-orders.ts';

/** Keys the job's JSON secret must hold. */
export const REQUIRED_KEYS = ['REPORT_SIGNING_KEY', 'REPORT_BUCKET'] as const;

/** Options of {@link runNightlySummary}. */
export interface NightlySummaryOptions {
  /** Secrets Manager id of the job's JSON secret (`REPORT_SIGNING_KEY`, `REPORT_BUCKET`). */
  secretId: string;
  /** The Healthchecks ping URL of the job's check; without it the run is not monitored. */
  pingUrl?: string;
  /** JSON-lines orders to summarise. */
  inputFile: string;
  /** Where the signed summary is written. */
  outputDir: string;
  /** The day the summary is for (default: today, UTC). */
  day?: string;
  /** Progress lines (never secret values). */
  log?: (line: string) => void;
}

/** What one run produced. */
export interface NightlySummaryResult extends OrdersSummary {
  /** Path of the signed summary. */
  file: string;
  /** Where a real deployment would upload it (from the secret; not a credential). */
  destination: string;
}

/**
 * The job: load configuration from Secrets Manager, total the day's orders, write a summary
 * signed with the secret key. The whole run sits inside `monitor`, so Healthchecks hears
 * `start`, then `success`, or `fail` with the error (a missing secret included), and a run
 * that never happens shows up as a missing ping.
 */
export async function runNightlySummary(
  options: NightlySummaryOptions,
): Promise<NightlySummaryResult> {
  const log = options.log ?? (() => {});
  const job = async (): Promise<NightlySummaryResult> => {
    const { vars } = await loadSecrets({ secrets: [{ id: options.secretId, json: true }] });
    const missing = REQUIRED_KEYS.filter((k) => vars[k] === undefined || vars[k] === '');
    if (missing.length > 0) {
      throw new Error(
        `secret ${options.secretId} lacks ${missing.join(', ')}; add the keys to its JSON`,
      );
    }
    log(`loaded ${Object.keys(vars).length} settings from ${options.secretId}`);
    const summary = summariseOrders(await readFile(options.inputFile, 'utf8'));
    log(`summarised ${summary.orders} orders (${summary.paid} paid)`);
    const day = options.day ?? new Date().toISOString().slice(0, 10);
    const body = JSON.stringify({ day, ...summary });
    const signature = createHmac('sha256', vars.REPORT_SIGNING_KEY as string)
      .update(body)
      .digest('hex');
    await mkdir(options.outputDir, { recursive: true });
    const file = join(options.outputDir, `orders-summary-${day}.json`);
    // Write then rename, so a consumer never reads a half-written report.
    await writeFile(`${file}.tmp`, `${JSON.stringify({ body, signature }, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
    const destination = `s3://${vars.REPORT_BUCKET}/orders/${day}.json`;
    log(`wrote ${file} (upload target ${destination})`);
    return { ...summary, file, destination };
  };
  if (!options.pingUrl) {
    log('HC_PING_URL is not set: no pings from this process (fine under `heartbeat run`)');
    return job();
  }
  return monitor({ pingUrl: options.pingUrl }, job);
}

/** Checks a summary file's signature with the signing key (what the consumer does). */
export function verifySummary(
  file: { body: string; signature: string },
  signingKey: string,
): boolean {
  const expected = createHmac('sha256', signingKey).update(file.body).digest('hex');
  return expected === file.signature;
}
