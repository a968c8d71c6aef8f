import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AwsClientOptions, abortable, withClients } from '@berth/internal';
import type { PreviewEnvConfig } from './config.ts';

/** AWS clients a caller may inject (tests, custom credentials); the rest are created. */
export interface PreviewEnvClients {
  ecs?: ECSClient;
  elbv2?: ElasticLoadBalancingV2Client;
  route53?: Route53Client;
  /** For `secretsFrom` (key names) and the OIDC client secret. */
  secretsManager?: SecretsManagerClient;
  /** For the last log lines of a failed hook. */
  logs?: CloudWatchLogsClient;
}

/** The clients a call works with. */
export interface ResolvedClients {
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  readonly secretsManager: SecretsManagerClient;
  readonly logs: CloudWatchLogsClient;
}

const CLIENTS = {
  ecs: ECSClient,
  elbv2: ElasticLoadBalancingV2Client,
  route53: Route53Client,
  secretsManager: SecretsManagerClient,
  logs: CloudWatchLogsClient,
};

/**
 * Runs `fn` with the injected clients and new ones (in the configuration's region) for the
 * rest; the new ones are released when `fn` ends, always.
 */
export function withPreviewClients<R>(
  config: Pick<PreviewEnvConfig, 'region'>,
  injected: PreviewEnvClients,
  aws: AwsClientOptions,
  fn: (clients: ResolvedClients) => Promise<R>,
): Promise<R> {
  return withClients(CLIENTS, { region: config.region, ...aws, clients: injected }, fn);
}

/**
 * The same clients, each of whose calls is aborted by `signal`: for the forward work of a
 * call, while its cleanup (rollback) keeps the plain ones.
 */
export function abortableClients(
  clients: ResolvedClients,
  signal: AbortSignal | undefined,
): ResolvedClients {
  if (!signal) return clients;
  return {
    ecs: abortable(clients.ecs, signal),
    elbv2: abortable(clients.elbv2, signal),
    route53: abortable(clients.route53, signal),
    secretsManager: abortable(clients.secretsManager, signal),
    logs: abortable(clients.logs, signal),
  };
}
