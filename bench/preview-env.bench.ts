// Create and delete of a preview environment through the test kit's latency proxy at 80 ms
// per AWS call (moto behind it): @berth/preview-env, which runs independent calls in
// parallel (4 sequential rounds to create, 4 to delete), against the same calls made one
// after another in EDEN's order. The proxy counts calls and sequential rounds.
import { createPreviewEnv, resolveConfig } from '../packages/preview-env/src/index.ts';
import { clientsAt, edenCreate, edenDelete } from '../packages/preview-env/test/eden-order.ts';
import { randomAccountId, startAwsProxy } from '../packages/testkit/src/aws-proxy.ts';
import { startMoto } from '../packages/testkit/src/moto.ts';
import { seedAccount } from '../packages/testkit/src/seed.ts';
import { median, report } from './report.ts';

const LATENCY_MS = 80;
const RUNS = 5;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:sha-1111111';

const moto = await startMoto();
const proxy = await startAwsProxy({ upstream: moto.endpoint, accountId: randomAccountId() });
try {
  const aws = {
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const seed = await seedAccount(aws);
  const config = resolveConfig({
    cluster: seed.cluster,
    referenceService: seed.referenceService,
    listenerArn: seed.listenerArn,
    domain: seed.domain,
    hostedZoneId: seed.hostedZoneId,
    namePrefix: 'app',
  });
  const clients = clientsAt(aws);
  const previews = createPreviewEnv({ config, clients });
  // Warm the clients (endpoint and credential resolution) before measuring.
  await previews.create('warm-up', { image: IMAGE });
  await previews.delete('warm-up');
  proxy.setLatency(LATENCY_MS);

  type Sample = { ms: number; calls: number; rounds: number };
  const measure = async (fn: () => Promise<unknown>): Promise<Sample> => {
    proxy.resetStats();
    const start = performance.now();
    await fn();
    const ms = performance.now() - start;
    const stats = proxy.stats();
    return { ms, calls: stats.total, rounds: stats.rounds };
  };
  const ours = { create: [] as Sample[], delete: [] as Sample[] };
  const eden = { create: [] as Sample[], delete: [] as Sample[] };
  for (let i = 0; i < RUNS; i++) {
    ours.create.push(await measure(() => previews.create(`pr-${i}`, { image: IMAGE })));
    ours.delete.push(await measure(() => previews.delete(`pr-${i}`)));
    eden.create.push(await measure(() => edenCreate(`eden-${i}`, IMAGE, config, clients)));
    eden.delete.push(await measure(() => edenDelete(`eden-${i}`, config, clients)));
  }
  const m = (s: Sample[], k: keyof Sample) => median(s.map((x) => x[k]));
  const createSpeedup = m(eden.create, 'ms') / m(ours.create, 'ms');
  const deleteSpeedup = m(eden.delete, 'ms') / m(ours.delete, 'ms');
  report({
    package: '@berth/preview-env',
    title: `create and delete at ${LATENCY_MS} ms per AWS call (median of ${RUNS})`,
    comparedWith: "the same AWS calls made one after another in EDEN's order (aws-eden-core)",
    figures: [
      { name: 'create: preview-env wall time', value: m(ours.create, 'ms'), unit: 'ms' },
      { name: 'create: preview-env calls', value: m(ours.create, 'calls'), unit: 'calls' },
      {
        name: 'create: preview-env sequential rounds',
        value: m(ours.create, 'rounds'),
        unit: 'rounds',
      },
      { name: "create: EDEN's order wall time", value: m(eden.create, 'ms'), unit: 'ms' },
      { name: "create: EDEN's order calls", value: m(eden.create, 'calls'), unit: 'calls' },
      {
        name: "create: EDEN's order sequential rounds",
        value: m(eden.create, 'rounds'),
        unit: 'rounds',
      },
      { name: 'delete: preview-env wall time', value: m(ours.delete, 'ms'), unit: 'ms' },
      { name: 'delete: preview-env calls', value: m(ours.delete, 'calls'), unit: 'calls' },
      {
        name: 'delete: preview-env sequential rounds',
        value: m(ours.delete, 'rounds'),
        unit: 'rounds',
      },
      { name: "delete: EDEN's order wall time", value: m(eden.delete, 'ms'), unit: 'ms' },
      { name: "delete: EDEN's order calls", value: m(eden.delete, 'calls'), unit: 'calls' },
      {
        name: "delete: EDEN's order sequential rounds",
        value: m(eden.delete, 'rounds'),
        unit: 'rounds',
      },
      { name: 'create speed-up', value: createSpeedup, unit: 'x' },
      { name: 'delete speed-up', value: deleteSpeedup, unit: 'x' },
    ],
    summary: `With the same calls, running independent ones in parallel makes create ${createSpeedup.toFixed(1)}x and delete ${deleteSpeedup.toFixed(1)}x faster: ${m(ours.create, 'rounds')} and ${m(ours.delete, 'rounds')} sequential rounds instead of ${m(eden.create, 'rounds')} and ${m(eden.delete, 'rounds')}.`,
  });
  for (const c of Object.values(clients)) c.destroy();
} finally {
  await proxy.close();
  await moto.stop();
}
