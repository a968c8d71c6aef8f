import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '@berth/internal';

/** Options naming the Secrets Manager client to use (an injected one wins). */
export interface ClientOptions {
  /** A client to use instead of building one (tests, custom credentials). */
  client?: SecretsManagerClient;
  /** Region when no client is given; default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
}

/** The injected client, or one built with Berth's AWS defaults. */
export function secretsClient(options: ClientOptions): SecretsManagerClient {
  if (options.client) return options.client;
  return new SecretsManagerClient(
    awsClientConfig(options.region === undefined ? {} : { region: options.region }),
  );
}

/**
 * Runs `fn` with the injected client, or with one built for the call and destroyed after it
 * (its sockets would otherwise linger until they time out).
 */
export async function withSecretsClient<T>(
  options: ClientOptions,
  fn: (client: SecretsManagerClient) => Promise<T>,
): Promise<T> {
  const client = secretsClient(options);
  try {
    return await fn(client);
  } finally {
    if (client !== options.client) client.destroy();
  }
}
