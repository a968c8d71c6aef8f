import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AwsClientOptions, awsClientConfig } from '@berth/internal';
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

/** The clients a call works with, and how to release the ones it created. */
export interface ResolvedClients {
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  readonly secretsManager: SecretsManagerClient;
  readonly logs: CloudWatchLogsClient;
  /** Destroys the clients this call created (not injected ones). */
  release(): void;
}

/**
 * Uses injected clients and creates the missing ones, in the configuration's region, the
 * first time they are used (a `list` never builds a Route 53 client).
 */
export function resolveClients(
  config: Pick<PreviewEnvConfig, 'region'>,
  clients: PreviewEnvClients = {},
  aws: AwsClientOptions = {},
): ResolvedClients {
  const made: { destroy(): void }[] = [];
  const cache = new Map<string, unknown>();
  const settings = () => awsClientConfig({ region: config.region, ...aws });
  const get = <T extends { destroy(): void }>(key: keyof PreviewEnvClients, create: () => T): T => {
    const given = clients[key] as T | undefined;
    if (given) return given;
    let client = cache.get(key) as T | undefined;
    if (!client) {
      client = create();
      cache.set(key, client);
      made.push(client);
    }
    return client;
  };
  return {
    get ecs() {
      return get('ecs', () => new ECSClient(settings()));
    },
    get elbv2() {
      return get('elbv2', () => new ElasticLoadBalancingV2Client(settings()));
    },
    get route53() {
      return get('route53', () => new Route53Client(settings()));
    },
    get secretsManager() {
      return get('secretsManager', () => new SecretsManagerClient(settings()));
    },
    get logs() {
      return get('logs', () => new CloudWatchLogsClient(settings()));
    },
    release: () => {
      for (const c of made.splice(0)) c.destroy();
      cache.clear();
    },
  };
}
