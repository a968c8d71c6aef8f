// Loads 45 secrets through the test kit's latency proxy (80 ms per call, like a real AWS
// round trip) and compares with the GitHub action's way: one GetSecretValue per secret, in
// sequence; then 45 SSM parameters in GetParameters batches (and by path) against one
// GetParameter per parameter. Run: node bench/secrets-env-loader.bench.ts
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { mapLimit } from '../packages/internal/src/index.ts';
import { loadSecrets } from '../packages/secrets-env-loader/src/index.ts';
import { randomAccountId, startAwsProxy } from '../packages/testkit/src/aws-proxy.ts';
import { startMoto } from '../packages/testkit/src/moto.ts';
import { median, report } from './report.ts';

// The SDK is a dependency of the package, not of bench/: load the package's own copy.
const sdkPath = createRequire(
  new URL('../packages/secrets-env-loader/package.json', import.meta.url),
).resolve('@aws-sdk/client-secrets-manager');
const { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } =
  (await import(pathToFileURL(sdkPath).href)) as typeof import('@aws-sdk/client-secrets-manager');
const ssmSdkPath = createRequire(
  new URL('../packages/secrets-env-loader/package.json', import.meta.url),
).resolve('@aws-sdk/client-ssm');
const { GetParameterCommand, PutParameterCommand, SSMClient } = (await import(
  pathToFileURL(ssmSdkPath).href
)) as typeof import('@aws-sdk/client-ssm');

const SECRETS = 45;
const LATENCY_MS = 80;
const RUNS = 5;

const moto = await startMoto();
const proxy = await startAwsProxy({ upstream: moto.endpoint, accountId: randomAccountId() });
const client = new SecretsManagerClient({
  region: 'us-east-1',
  endpoint: proxy.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
const ssm = new SSMClient({
  region: 'us-east-1',
  endpoint: proxy.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});

try {
  const names = Array.from(
    { length: SECRETS },
    (_, i) => `bench/app/s${String(i).padStart(2, '0')}`,
  );
  await mapLimit(names, 8, (name, i) =>
    client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({ [`KEY_${i}_A`]: `a${i}`, [`KEY_${i}_B`]: `b${i}` }),
      }),
    ),
  );
  const parameters = Array.from(
    { length: SECRETS },
    (_, i) => `/bench/ssm/P${String(i).padStart(2, '0')}`,
  );
  await mapLimit(parameters, 4, (name, i) =>
    ssm.send(new PutParameterCommand({ Name: name, Value: `value-${i}`, Type: 'SecureString' })),
  );
  // Warm the clients (connection pool, credential resolution) outside the timings.
  await client.send(new GetSecretValueCommand({ SecretId: names[0] }));
  await ssm.send(new GetParameterCommand({ Name: parameters[0], WithDecryption: true }));
  proxy.setLatency(LATENCY_MS);

  const measure = async (run: () => Promise<unknown>, runs = RUNS) => {
    const times: number[] = [];
    let stats = proxy.stats();
    for (let i = 0; i < runs; i++) {
      proxy.resetStats();
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
      stats = proxy.stats();
    }
    return { ms: median(times), calls: stats.total, rounds: stats.rounds };
  };

  const prefix = await measure(async () => {
    const { vars } = await loadSecrets({ secrets: ['bench/app/*'], client });
    if (Object.keys(vars).length !== SECRETS * 2) throw new Error('prefix load lost variables');
  });
  const byName = await measure(async () => {
    const { vars } = await loadSecrets({ secrets: names, client });
    if (Object.keys(vars).length !== SECRETS * 2) throw new Error('named load lost variables');
  });
  proxy.fail({ operation: 'BatchGetSecretValue', error: { code: 'AccessDeniedException' } });
  const fallback = await measure(() => loadSecrets({ secrets: names, client }));
  proxy.clearFaults();

  // The GitHub action (aws-actions/aws-secretsmanager-get-secrets): one GetSecretValue per
  // secret, awaited one after another; a prefix costs ListSecrets first.
  const sequential = await measure(async () => {
    for (const name of names) await client.send(new GetSecretValueCommand({ SecretId: name }));
  }, 3);
  const sequentialPrefix = await measure(async () => {
    const listed = await client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: ['bench/app/'] }],
        MaxResults: 100,
      }),
    );
    for (const s of listed.SecretList ?? [])
      await client.send(new GetSecretValueCommand({ SecretId: s.ARN }));
  }, 3);

  const ssmByName = await measure(async () => {
    const { vars } = await loadSecrets({
      secrets: parameters.map((p) => `ssm:${p}`),
      clients: { ssm },
    });
    if (Object.keys(vars).length !== SECRETS) throw new Error('SSM load lost variables');
  });
  const ssmByPath = await measure(async () => {
    const { vars } = await loadSecrets({ secrets: ['ssm:/bench/ssm/'], clients: { ssm } });
    if (Object.keys(vars).length !== SECRETS) throw new Error('SSM path load lost variables');
  });
  // One GetParameter per parameter, awaited one after another (ssm-env and shell loops).
  const ssmSequential = await measure(async () => {
    for (const name of parameters)
      await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  }, 3);

  report({
    package: '@berth/secrets-env-loader',
    title: `load ${SECRETS} JSON secrets (${SECRETS * 2} variables), and ${SECRETS} SSM parameters, at ${LATENCY_MS} ms per AWS call`,
    comparedWith:
      "the GitHub action's one GetSecretValue per secret, in sequence; one GetParameter per SSM parameter, in sequence",
    figures: [
      {
        name: 'loadSecrets by 45 names: wall time',
        value: byName.ms,
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'loadSecrets by 45 names: calls',
        value: byName.calls,
        unit: 'calls',
        note: `${byName.rounds} round(s)`,
      },
      {
        name: 'loadSecrets prefix bench/app/*: wall time',
        value: prefix.ms,
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'loadSecrets prefix bench/app/*: calls',
        value: prefix.calls,
        unit: 'calls',
        note: `${prefix.rounds} round(s)`,
      },
      {
        name: 'loadSecrets, batch denied (fallback): wall time',
        value: fallback.ms,
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'loadSecrets, batch denied (fallback): calls',
        value: fallback.calls,
        unit: 'calls',
        note: `${fallback.rounds} round(s)`,
      },
      {
        name: 'sequential GetSecretValue x45: wall time',
        value: sequential.ms,
        unit: 'ms',
        note: 'median of 3',
      },
      {
        name: 'sequential GetSecretValue x45: calls',
        value: sequential.calls,
        unit: 'calls',
        note: `${sequential.rounds} round(s)`,
      },
      {
        name: 'ListSecrets + sequential GetSecretValue: wall time',
        value: sequentialPrefix.ms,
        unit: 'ms',
        note: 'median of 3',
      },
      {
        name: 'ListSecrets + sequential GetSecretValue: calls',
        value: sequentialPrefix.calls,
        unit: 'calls',
        note: `${sequentialPrefix.rounds} round(s)`,
      },
      {
        name: 'loadSecrets 45 SSM parameters by name: wall time',
        value: ssmByName.ms,
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'loadSecrets 45 SSM parameters by name: calls',
        value: ssmByName.calls,
        unit: 'calls',
        note: `${ssmByName.rounds} round(s)`,
      },
      {
        name: 'loadSecrets ssm:/bench/ssm/ (path): wall time',
        value: ssmByPath.ms,
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'loadSecrets ssm:/bench/ssm/ (path): calls',
        value: ssmByPath.calls,
        unit: 'calls',
        note: `${ssmByPath.rounds} round(s)`,
      },
      {
        name: 'sequential GetParameter x45: wall time',
        value: ssmSequential.ms,
        unit: 'ms',
        note: 'median of 3',
      },
      {
        name: 'sequential GetParameter x45: calls',
        value: ssmSequential.calls,
        unit: 'calls',
        note: `${ssmSequential.rounds} round(s)`,
      },
    ],
    summary: `By name, 45 secrets load in ${byName.calls} BatchGetSecretValue calls in parallel (${byName.ms.toFixed(0)} ms) instead of ${sequential.calls} sequential calls (${sequential.ms.toFixed(0)} ms), ${(sequential.ms / byName.ms).toFixed(1)}x faster; a prefix adds one ListSecrets round. With the batch call denied, parallel GetSecretValue still takes ${fallback.ms.toFixed(0)} ms. 45 SSM parameters load in ${ssmByName.calls} GetParameters calls (${ssmByName.ms.toFixed(0)} ms; by path ${ssmByPath.calls} pages, ${ssmByPath.ms.toFixed(0)} ms) instead of ${ssmSequential.calls} GetParameter calls (${ssmSequential.ms.toFixed(0)} ms), ${(ssmSequential.ms / ssmByName.ms).toFixed(1)}x faster.`,
  });
} finally {
  client.destroy();
  ssm.destroy();
  await proxy.close();
  await moto.stop();
}
