// The environment that points the AWS SDK at a local emulator; free of vitest so plain
// Node scripts (the demo, benchmarks) can use it too.

import type { SeedClientConfig } from './seed.ts';

/** Region of every emulator-backed test and of the demo. */
export const TEST_REGION = 'us-east-1';

/** Environment that points the AWS SDK at `endpoint` with dummy credentials. */
export function awsEnvFor(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: TEST_REGION,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Client settings for the emulator named in `env` (as {@link awsEnvFor} sets it), or
 * undefined when `AWS_ENDPOINT_URL` is not set.
 */
export function clientConfigFromEnv(env: NodeJS.ProcessEnv): SeedClientConfig | undefined {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (!endpoint) return undefined;
  return {
    region: env.AWS_REGION ?? TEST_REGION,
    endpoint,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
}
