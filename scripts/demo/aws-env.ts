// The environment that points the AWS SDK (in every Berth CLI) at the local emulator.

/** Region the demo uses. */
export const DEMO_REGION = 'us-east-1';

/** Endpoint, region and dummy credentials for the emulator at `endpoint`. */
export function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: DEMO_REGION,
    AWS_DEFAULT_REGION: DEMO_REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Client settings for the same emulator, from an environment made by {@link awsEnv}. */
export function clientConfigFromEnv(env: NodeJS.ProcessEnv): {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: run this from the Berth demo');
  return {
    region: env.AWS_REGION ?? DEMO_REGION,
    endpoint,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
}
