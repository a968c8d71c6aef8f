import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClientConfig } from '@berth/internal';

/** Options naming the AWS clients to use (injected ones win). */
export interface ClientOptions {
  /** A Secrets Manager client to use instead of building one (tests, custom credentials). */
  client?: SecretsManagerClient;
  /** Clients to use instead of building them: `secretsManager` (same as `client`) and `ssm`. */
  clients?: { secretsManager?: SecretsManagerClient; ssm?: SSMClient };
  /** Region when no client is given; default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
}

/** The clients one call uses; only those it needs are built. */
export interface Clients {
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/**
 * Runs `fn` with the injected clients, or with ones built for the call (only those asked for
 * in `need`, lazily) and destroyed after it (their sockets would otherwise linger).
 */
export async function withAwsClients<T>(
  options: ClientOptions,
  fn: (clients: Clients) => Promise<T>,
): Promise<T> {
  const built: { destroy(): void }[] = [];
  const config = () =>
    awsClientConfig(options.region === undefined ? {} : { region: options.region });
  let sm = options.clients?.secretsManager ?? options.client;
  let ssm = options.clients?.ssm;
  const clients: Clients = {
    get secretsManager() {
      if (!sm) {
        sm = new SecretsManagerClient(config());
        built.push(sm);
      }
      return sm;
    },
    get ssm() {
      if (!ssm) {
        ssm = new SSMClient(config());
        built.push(ssm);
      }
      return ssm;
    },
  };
  try {
    return await fn(clients);
  } finally {
    for (const client of built) client.destroy();
  }
}

/** {@link withAwsClients} for code that needs only Secrets Manager. */
export function withSecretsClient<T>(
  options: ClientOptions,
  fn: (client: SecretsManagerClient) => Promise<T>,
): Promise<T> {
  return withAwsClients(options, (clients) => fn(clients.secretsManager));
}
