import { awsEnvFor, TEST_REGION } from './aws-env.ts';
import { type AwsProxy, randomAccountId, startAwsProxy } from './aws-proxy.ts';
import { fixtureConfig } from './fixture-clients.ts';
import './provided-context.ts';

// Loaded only under vitest: importing 'vitest' in a plain Node process (benchmarks, the demo)
// throws, and those import this package for the emulator, proxy and seed.
const vitest = process.env.VITEST ? await import('vitest') : undefined;

/** What a test file gets from {@link useAws}, filled in before its tests run. */
export interface AwsTestContext {
  /** Endpoint the SDK (and child processes) should use: this file's proxy. */
  readonly endpoint: string;
  /** This file's own emulator account. */
  readonly accountId: string;
  /** The proxy: call counts, latency, fault injection. */
  readonly proxy: AwsProxy;
  /** Environment for child processes (CLI tests): endpoint, region, dummy credentials. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Client configuration for SDK clients given to the code under test: one attempt per call,
   * so an injected fault is seen exactly once.
   */
  readonly clientConfig: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  /**
   * Client configuration for test set-up and inspection (fixtures, inventories): the SDK's
   * standard retries, so a loaded emulator's HTML 500 does not fail the set-up. See also
   * `fixtureClient()`, which also bounds concurrency.
   */
  readonly fixtureConfig: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
    retryMode: 'standard';
  };
}

/** Options of {@link useAws}. */
export interface UseAwsOptions {
  /** Added delay per proxied call, in ms. */
  latencyMs?: number;
  /**
   * Forget the proxy's recorded calls before each test (default true), so `stats()` and
   * `calls` count only the running test's calls (stragglers of earlier tests included not).
   */
  resetStatsEachTest?: boolean;
}

/**
 * Gives the calling test file its own emulator account behind its own proxy, and points
 * `process.env` (and so every SDK client and child process) at it. Call at the top level of
 * a test file whose vitest config uses the test kit's global setup. The proxy's recorded
 * calls are reset before each test (see {@link UseAwsOptions.resetStatsEachTest}).
 */
export function useAws(options: UseAwsOptions = {}): AwsTestContext {
  if (!vitest) throw new Error('useAws() works only inside vitest test files');
  const { afterAll, beforeAll, beforeEach, inject } = vitest;
  let proxy: AwsProxy | undefined;
  const saved: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    proxy = await startAwsProxy({
      upstream: inject('motoEndpoint'),
      accountId: randomAccountId(),
      ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    });
    for (const [k, v] of Object.entries(awsEnvFor(proxy.endpoint))) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  if (options.resetStatsEachTest !== false) {
    beforeEach(() => {
      proxy?.resetStats();
    });
  }
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await proxy?.close();
  });
  const need = (): AwsProxy => {
    if (!proxy) throw new Error('useAws(): the context is ready only inside tests and hooks');
    return proxy;
  };
  return {
    get endpoint() {
      return need().endpoint;
    },
    get accountId() {
      return need().accountId as string;
    },
    get proxy() {
      return need();
    },
    get env() {
      return { ...process.env, ...awsEnvFor(need().endpoint) };
    },
    get clientConfig() {
      return {
        region: TEST_REGION,
        endpoint: need().endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      };
    },
    get fixtureConfig() {
      return fixtureConfig({
        region: TEST_REGION,
        endpoint: need().endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
    },
  };
}
