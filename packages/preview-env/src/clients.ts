import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { type AwsClientOptions, awsClientConfig } from '@berth/internal';
import type { PreviewEnvConfig } from './config.ts';

/** AWS clients a caller may inject (tests, custom credentials); the rest are created. */
export interface PreviewEnvClients {
  ecs?: ECSClient;
  elbv2?: ElasticLoadBalancingV2Client;
  route53?: Route53Client;
}

/** The clients a call works with, and how to release the ones it created. */
export interface ResolvedClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  route53: Route53Client;
  /** Destroys the clients this call created (not injected ones). */
  release(): void;
}

/** Uses injected clients and creates the missing ones in the configuration's region. */
export function resolveClients(
  config: Pick<PreviewEnvConfig, 'region'>,
  clients: PreviewEnvClients = {},
  aws: AwsClientOptions = {},
): ResolvedClients {
  const made: { destroy(): void }[] = [];
  const settings = () => awsClientConfig({ region: config.region, ...aws });
  const make = <T extends { destroy(): void }>(given: T | undefined, create: () => T): T => {
    if (given) return given;
    const client = create();
    made.push(client);
    return client;
  };
  return {
    ecs: make(clients.ecs, () => new ECSClient(settings())),
    elbv2: make(clients.elbv2, () => new ElasticLoadBalancingV2Client(settings())),
    route53: make(clients.route53, () => new Route53Client(settings())),
    release: () => {
      for (const c of made) c.destroy();
    },
  };
}
