import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { withClients } from '@berth/internal';

/** Options naming the AWS clients to use (injected ones win) and how to build the others. */
export interface ClientOptions {
  /**
   * A Secrets Manager client to use instead of building one.
   * @deprecated Use `clients: { secretsManager }`; kept for existing callers.
   */
  client?: SecretsManagerClient;
  /** Clients to use instead of building them: `secretsManager` (same as `client`) and `ssm`. */
  clients?: { secretsManager?: SecretsManagerClient; ssm?: SSMClient };
  /** Region when no client is given; default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /**
   * Time limit of one attempt of an AWS call, in ms, for the clients built here (default
   * `BERTH_AWS_TIMEOUT`, a duration such as `30s`, else 30 s; the total is bounded by the
   * attempts).
   */
  timeoutMs?: number;
}

/** The clients one call uses. */
export interface Clients {
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/**
 * Runs `fn` with the clients it `needs`: the injected ones, or ones built for the call with
 * Berth's AWS defaults (`withClients`) and destroyed after it. Only the clients needed are
 * built (reading a secret must not ask for an SSM client, or the other way round); `fn`
 * must use only those.
 */
export function withAwsClients<T>(
  options: ClientOptions,
  needs: { secretsManager?: boolean; ssm?: boolean },
  fn: (clients: Clients) => Promise<T>,
): Promise<T> {
  const ctors = {
    ...(needs.secretsManager ? { secretsManager: SecretsManagerClient } : {}),
    ...(needs.ssm ? { ssm: SSMClient } : {}),
  } as { secretsManager: typeof SecretsManagerClient; ssm: typeof SSMClient };
  const secretsManager = options.clients?.secretsManager ?? options.client;
  return withClients(
    ctors,
    {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      clients: {
        ...(secretsManager ? { secretsManager } : {}),
        ...(options.clients?.ssm ? { ssm: options.clients.ssm } : {}),
      },
    },
    fn,
  );
}

/** {@link withAwsClients} for code that needs only Secrets Manager. */
export function withSecretsClient<T>(
  options: ClientOptions,
  fn: (client: SecretsManagerClient) => Promise<T>,
): Promise<T> {
  return withAwsClients(options, { secretsManager: true }, (clients) => fn(clients.secretsManager));
}
