// The emulator's client settings for demo helpers that run as their own processes.

import { clientConfigFromEnv } from '../../packages/testkit/src/aws-env.ts';
import type { SeedClientConfig } from '../../packages/testkit/src/seed.ts';

/** Client settings from the environment the demo gives its commands. */
export function demoClientConfig(env: NodeJS.ProcessEnv): SeedClientConfig {
  const config = clientConfigFromEnv(env);
  if (!config) throw new Error('AWS_ENDPOINT_URL is not set: run this from the Berth demo');
  return config;
}
