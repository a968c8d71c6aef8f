import type { SeedClientConfig } from './seed.ts';

/** Most fixture calls in flight at once in this process (set-up must not flood the emulator). */
export const FIXTURE_CONCURRENCY = 4;

/** Attempts of a fixture call: the emulator under load answers some calls with an HTML 500. */
export const FIXTURE_MAX_ATTEMPTS = 6;

let active = 0;
const queue: (() => void)[] = [];

async function acquire(): Promise<void> {
  if (active < FIXTURE_CONCURRENCY) {
    active++;
    return;
  }
  await new Promise<void>((resolve) => queue.push(resolve));
}

function release(): void {
  const next = queue.shift();
  if (next) next();
  else active--;
}

/**
 * Client settings for test set-up (fixtures, seeds, inventory): the given endpoint and
 * credentials with the SDK's standard retries (6 attempts), so a 5xx or HTML 500 page from a
 * loaded emulator is retried as the SDK retries it against AWS. Code under test keeps the
 * settings it is given (`aws.clientConfig`, one attempt, so injected faults are seen once).
 */
export function fixtureConfig<C extends SeedClientConfig>(
  config: C,
): C & { maxAttempts: number; retryMode: 'standard' } {
  return { ...config, maxAttempts: FIXTURE_MAX_ATTEMPTS, retryMode: 'standard' };
}

interface StackClient {
  middlewareStack: {
    add(
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware types are per client
      middleware: (next: (args: any) => Promise<any>) => (args: any) => Promise<any>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * An SDK client for test set-up: {@link fixtureConfig} retries, and at most
 * {@link FIXTURE_CONCURRENCY} fixture calls in flight in this process.
 *
 * @example
 * ```ts
 * const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
 * await sm.send(new CreateSecretCommand({ Name: 'app/x', SecretString: '{}' }));
 * ```
 */
export function fixtureClient<C extends StackClient>(
  Ctor: new (config: SeedClientConfig & { maxAttempts: number; retryMode: 'standard' }) => C,
  config: SeedClientConfig,
): C {
  const client = new Ctor(fixtureConfig(config));
  client.middlewareStack.add(
    (next) => async (args) => {
      await acquire();
      try {
        return await next(args);
      } finally {
        release();
      }
    },
    { step: 'initialize', name: 'berthFixtureConcurrency' },
  );
  return client;
}
