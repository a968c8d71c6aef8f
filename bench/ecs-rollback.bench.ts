// Time until a failing ECS deployment is reported: `watchDeployment` (what `ecs-rollback watch`
// and every rollback wait use) versus the AWS SDK's `waitUntilServicesStable` with its default
// delays (15 s growing to the SDK's maximum). Both poll the same simulated service, whose
// answers follow a fake clock, so hours of deployment run in milliseconds and the figures are
// the simulated times.

import { watchDeployment } from '../packages/ecs-rollback/src/index.ts';
import {
  type SimOptions,
  simulateDeployment,
} from '../packages/ecs-rollback/test/deployment-sim.ts';
import { type FakeClock, fakeClock } from '../packages/ecs-rollback/test/fake-clock.ts';
import { waitUntilServicesStable } from '../packages/ecs-rollback/test/sdk-waiter.ts';
import { type BenchFigure, median, report } from './report.ts';

// aws-actions/amazon-ecs-deploy-task-definition waits 30 minutes by default; the SDK waiter
// itself has no default for maxWaitTime.
const MAX_WAIT_S = 1800;
const RUNS = 25;

type Scenario = { name: string; sim: Omit<SimOptions, 'now'>; visibleAt: string };
const scenarios: Scenario[] = [
  {
    name: 'image crashes on start',
    sim: { scenario: 'crash' },
    visibleAt: 'first task stops at 45 s',
  },
  {
    name: 'crash, circuit breaker rolls back',
    sim: { scenario: 'crash', circuitBreaker: 'rollback' },
    visibleAt: 'first task stops at 45 s, breaker trips at 90 s',
  },
  {
    name: 'failing ELB health checks',
    sim: { scenario: 'health-check' },
    visibleAt: 'first task stops at 105 s',
  },
  { name: 'no capacity to place tasks', sim: { scenario: 'placement' }, visibleAt: 'event at 5 s' },
];

/** Runs `fn` with setTimeout and Date.now on the fake clock (the waiter sleeps one timer at a time). */
async function onFakeTime<T>(clock: FakeClock, fn: () => Promise<T>): Promise<T> {
  const realSetTimeout = globalThis.setTimeout;
  const realNow = Date.now;
  Date.now = () => clock.now();
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    clock.advance(ms ?? 0);
    setImmediate(callback);
    return 0;
  }) as unknown as typeof setTimeout;
  try {
    return await fn();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    Date.now = realNow;
  }
}

const noTargetGroups = {
  send: async () => ({ TargetGroups: [] }),
  destroy() {},
} as unknown as NonNullable<NonNullable<Parameters<typeof watchDeployment>[0]['clients']>['elbv2']>;

async function runWatch(s: Scenario, failedTaskThreshold = 1) {
  const clock = fakeClock();
  const sim = simulateDeployment({ ...s.sim, now: clock.now });
  const result = await watchDeployment({
    cluster: 'prod',
    service: 'web',
    // The target group lookup of an ELB health check failure answers from here: never AWS.
    clients: { ecs: sim.ecs, elbv2: noTargetGroups },
    clock,
    failedTaskThreshold,
  });
  return {
    seconds: result.elapsedMs / 1000,
    status: result.status,
    cause: result.cause ?? '-',
    calls: sim.ecs.calls.length,
  };
}

async function runWaiter(s: Scenario) {
  const clock = fakeClock();
  const sim = simulateDeployment({ ...s.sim, now: clock.now });
  const start = clock.now();
  const outcome = await onFakeTime(clock, () =>
    waitUntilServicesStable(
      { client: sim.ecs, maxWaitTime: MAX_WAIT_S },
      { cluster: 'prod', services: ['web'] },
    ).then(
      () => 'success',
      (e: Error) =>
        /TimeoutError|timed out|TIMEOUT/i.test(`${e.name} ${e.message}`)
          ? 'timeout'
          : `error ${e.name}`,
    ),
  );
  return { seconds: (clock.now() - start) / 1000, status: outcome, calls: sim.ecs.calls.length };
}

const wall = performance.now();
const figures: BenchFigure[] = [];
const waiterTimeouts: number[] = [];
let falseSuccesses = 0;
for (const s of scenarios) {
  const watch = await runWatch(s);
  const waits = [];
  for (let i = 0; i < RUNS; i++) waits.push(await runWaiter(s));
  const waiterSeconds = median(waits.map((w) => w.seconds));
  const waiterStatus = waits[0]?.status ?? '?';
  if (waits.some((w) => w.status === 'success')) falseSuccesses++;
  figures.push({
    name: `${s.name}: watch reports it`,
    value: watch.seconds,
    unit: 's',
    note: `${watch.status}, cause ${watch.cause}; ${s.visibleAt}; ${watch.calls} ECS calls`,
  });
  figures.push({
    name: `${s.name}: waitUntilServicesStable ends`,
    value: Math.round(waiterSeconds),
    unit: 's',
    note:
      waiterStatus === 'success'
        ? `reports SUCCESS (the rolled-back old version is stable), median of ${RUNS}`
        : `${waiterStatus}, median of ${RUNS}; ${Math.round(median(waits.map((w) => w.calls)))} ECS calls`,
  });
  if (s.sim.circuitBreaker === 'rollback') {
    const tolerant = await runWatch(s, 100);
    figures.push({
      name: `${s.name}: watch --failed-tasks 100 reports it`,
      value: tolerant.seconds,
      unit: 's',
      note: `${tolerant.status}: the breaker's rollback, never success`,
    });
  }
  if (waiterStatus !== 'success') waiterTimeouts.push(waiterSeconds);
}
figures.push({ name: 'bench wall time', value: Math.round(performance.now() - wall), unit: 'ms' });

report({
  package: '@berth/ecs-rollback',
  title: 'time until a failing deployment is reported (simulated ECS, fake clock)',
  comparedWith: `the AWS SDK's waitUntilServicesStable with its default delays and maxWaitTime ${MAX_WAIT_S} s (the 30-minute wait of aws-actions/amazon-ecs-deploy-task-definition)`,
  figures,
  summary: `watch reports each failure within one 5 s poll of ECS showing it (5 to 105 s here); the SDK waiter gives up only after ${minutesRange(waiterTimeouts)} (its next 600 s sleep would pass maxWaitTime), and in ${falseSuccesses} of ${scenarios.length} scenarios (a circuit-breaker rollback) it reports success.`,
});

function minutesRange(seconds: number[]): string {
  const low = Math.round(Math.min(...seconds) / 60);
  const high = Math.round(Math.max(...seconds) / 60);
  return low === high ? `about ${low} minutes` : `${low} to ${high} minutes`;
}
