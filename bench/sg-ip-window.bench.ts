// @berth/sg-ip-window: time to open a window when the first IP source hangs, racing all
// sources (the library) versus trying them one by one with a per-source timeout (the design
// source's `dig`, and the existing actions' single-service curl with a fallback).
// IP sources are local fixture servers; AWS is the moto emulator behind the test kit's proxy
// with 20 ms per call, as a nearby region would answer.
import {
  detectPublicIp,
  httpIpSource,
  type IpSource,
  openWindow,
} from '../packages/sg-ip-window/src/index.ts';
// The test kit's files one by one: its index also loads vitest, which only runs inside vitest.
import { randomAccountId, startAwsProxy } from '../packages/testkit/src/aws-proxy.ts';
import { startHttpServer } from '../packages/testkit/src/http-server.ts';
import { startMoto } from '../packages/testkit/src/moto.ts';
import { seedAccount } from '../packages/testkit/src/seed.ts';
import { median, report } from './report.ts';

const SERVICE_MS = 40; // a typical answer time of a public "what is my IP" service
const PER_SOURCE_TIMEOUT_MS = 5_000; // the race's whole budget, given to each source in turn

const moto = await startMoto();
const proxy = await startAwsProxy({
  upstream: moto.endpoint,
  accountId: randomAccountId(),
  latencyMs: 20,
});
const clientConfig = {
  region: 'us-east-1',
  endpoint: proxy.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
const { securityGroupId: groupId } = await seedAccount({ ...clientConfig, maxAttempts: 1 });

const hang = await startHttpServer(() => new Promise(() => {}));
const answering = await Promise.all(
  [1, 2, 3].map(() =>
    startHttpServer(async (_req, res) => {
      await new Promise((r) => setTimeout(r, SERVICE_MS));
      res.end('52.95.110.1\n');
    }),
  ),
);
const sources: IpSource[] = [
  httpIpSource(hang.url, { name: 'hanging' }),
  ...answering.map((s, i) => httpIpSource(s.url, { name: `service-${i + 1}` })),
];

async function timeOpen(detect: () => Promise<string>): Promise<number> {
  const start = performance.now();
  const ip = await detect();
  const window = await openWindow({
    groupIds: [groupId],
    ports: 22,
    ip,
    owner: 'bench',
    ...clientConfig,
  });
  const elapsed = performance.now() - start;
  await window.close();
  return elapsed;
}

const raced: number[] = [];
for (let i = 0; i < 7; i++) {
  raced.push(await timeOpen(async () => (await detectPublicIp({ sources })).ip));
}

const oneByOne: number[] = [];
for (let i = 0; i < 3; i++) {
  oneByOne.push(
    await timeOpen(async () => {
      for (const source of sources) {
        try {
          return (await detectPublicIp({ sources: [source], timeoutMs: PER_SOURCE_TIMEOUT_MS })).ip;
        } catch {
          // next source
        }
      }
      throw new Error('no source answered');
    }),
  );
}

const allHealthy: number[] = [];
for (let i = 0; i < 7; i++) {
  allHealthy.push(
    await timeOpen(async () => (await detectPublicIp({ sources: sources.slice(1) })).ip),
  );
}

await Promise.all([hang.close(), ...answering.map((s) => s.close())]);
await proxy.close();
await moto.stop();

const race = median(raced);
const seq = median(oneByOne);
report({
  package: '@berth/sg-ip-window',
  title: 'time to open a window when the first IP source hangs',
  comparedWith: `trying the same sources one by one with a ${PER_SOURCE_TIMEOUT_MS / 1000} s timeout each (dig / curl-with-fallback style)`,
  figures: [
    { name: 'open, first source hangs, racing (median of 7)', value: race, unit: 'ms' },
    { name: 'open, first source hangs, one by one (median of 3)', value: seq, unit: 'ms' },
    {
      name: 'open, all sources healthy, racing (median of 7)',
      value: median(allHealthy),
      unit: 'ms',
    },
    { name: 'speed-up of racing with a hanging source', value: seq / race, unit: 'x' },
  ],
  summary: `With the first source hanging, racing opens the window in ${Math.round(race)} ms (the fastest healthy source plus the AWS calls); one by one waits out the ${PER_SOURCE_TIMEOUT_MS / 1000} s timeout first (${Math.round(seq)} ms).`,
});
