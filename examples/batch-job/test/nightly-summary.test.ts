import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type HealthchecksServer,
  runProcess,
  startHealthchecksServer,
  useAws,
} from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightlySummary, verifySummary } from '../src/nightly-summary.ts';

const aws = useAws();
const here = import.meta.dirname;
const ordersFile = resolve(here, '../data/orders.jsonl');
const SECRET = {
  REPORT_SIGNING_KEY: 'signing-key-not-real-7f3a91',
  REPORT_BUCKET: 'acme-reports',
};

let hc: HealthchecksServer;
let outDir: string;

beforeAll(async () => {
  hc = await startHealthchecksServer();
  outDir = await mkdtemp(join(tmpdir(), 'batch-job-'));
  const sm = new SecretsManagerClient(aws.clientConfig);
  await sm.send(
    new CreateSecretCommand({
      Name: 'batch/nightly-summary',
      SecretString: JSON.stringify(SECRET),
    }),
  );
  await sm.send(
    new CreateSecretCommand({
      Name: 'batch/incomplete',
      SecretString: JSON.stringify({ REPORT_BUCKET: 'acme-reports' }),
    }),
  );
  sm.destroy();
});

afterAll(async () => {
  await hc?.close();
  await rm(outDir, { recursive: true, force: true });
});

/** Every ping body the fake server stored, as text. */
function pingBodies(): string {
  return hc
    .allPings()
    .map((p) => p.body.toString())
    .join('\n');
}

describe('the nightly summary job', () => {
  it('loads its secret, writes a signed summary, and pings start then success', async () => {
    const check = hc.addCheck({ name: 'nightly-summary' });
    const result = await runNightlySummary({
      secretId: 'batch/nightly-summary',
      pingUrl: hc.pingUrlOf(check),
      inputFile: ordersFile,
      outputDir: outDir,
      day: '2026-11-21',
    });
    expect(result).toMatchObject({
      orders: 6,
      paid: 5,
      refunded: 1,
      totalsCents: { EUR: 6629, USD: 12350 },
      destination: 's3://acme-reports/orders/2026-11-21.json',
    });
    const written = JSON.parse(await readFile(result.file, 'utf8')) as {
      body: string;
      signature: string;
    };
    expect(verifySummary(written, SECRET.REPORT_SIGNING_KEY)).toBe(true);
    expect(verifySummary(written, 'another-key')).toBe(false);
    expect(check.pings.map((p) => p.kind)).toEqual(['start', 'success']);
    expect(check.pings[0]?.rid).toBe(check.pings[1]?.rid);
    expect(check.status).toBe('up');
  });

  it('reports a missing secret as a failed run, naming the secret, and writes nothing', async () => {
    const check = hc.addCheck({ name: 'nightly-summary-missing' });
    const dir = join(outDir, 'missing');
    await expect(
      runNightlySummary({
        secretId: 'batch/does-not-exist',
        pingUrl: hc.pingUrlOf(check),
        inputFile: ordersFile,
        outputDir: dir,
        day: '2026-11-21',
      }),
    ).rejects.toMatchObject({ name: 'SecretsEnvError', code: 'E_NOT_FOUND' });
    expect(check.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
    expect(check.pings[1]?.body.toString()).toContain('batch/does-not-exist');
    expect(check.status).toBe('down');
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails the run when the secret lacks a key, without printing any value', async () => {
    const check = hc.addCheck({ name: 'nightly-summary-incomplete' });
    await expect(
      runNightlySummary({
        secretId: 'batch/incomplete',
        pingUrl: hc.pingUrlOf(check),
        inputFile: ordersFile,
        outputDir: outDir,
      }),
    ).rejects.toThrow('secret batch/incomplete lacks REPORT_SIGNING_KEY');
    expect(check.pings.map((p) => p.kind)).toEqual(['start', 'fail']);
  });

  it('never sends the signing key to Healthchecks', () => {
    expect(pingBodies()).not.toContain(SECRET.REPORT_SIGNING_KEY);
  });

  it('runs as a process: exit 0 with a summary line, exit 1 when the run fails', async () => {
    const check = hc.addCheck({ name: 'nightly-summary-process' });
    const run = (secretId: string) =>
      runProcess(process.execPath, [resolve(here, '../src/main.ts')], {
        env: {
          ...aws.env,
          SECRET_ID: secretId,
          HC_PING_URL: hc.pingUrlOf(check),
          OUTPUT_DIR: outDir,
          REPORT_DAY: '2026-11-22',
        },
      });
    const ok = await run('batch/nightly-summary');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('5 paid orders: 66.29 EUR, 123.50 USD');
    const failed = await run('batch/nope');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('batch/nope');
    expect(check.pings.map((p) => p.kind)).toEqual(['start', 'success', 'start', 'fail']);
    const printed = ok.stdout + ok.stderr + failed.stdout + failed.stderr;
    expect(printed).not.toContain(SECRET.REPORT_SIGNING_KEY);
  });
});
