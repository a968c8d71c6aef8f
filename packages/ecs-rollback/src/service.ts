import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { isAwsError } from '@berth/internal';
import { awsFailure } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import type { ServiceRef } from './types.ts';

/** Checks that cluster and service are given; throws `E_INPUT` naming the missing one. */
export function checkServiceRef(ref: Partial<ServiceRef>): asserts ref is ServiceRef {
  for (const key of ['cluster', 'service'] as const) {
    const value = ref[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new EcsRollbackError('E_INPUT', `${key} is required: pass the ECS ${key} name or ARN`);
    }
  }
}

/**
 * Describes the service, or throws `E_CLUSTER_NOT_FOUND` / `E_SERVICE_NOT_FOUND` (also for a
 * service that is DRAINING or INACTIVE: it cannot be rolled back).
 */
export async function describeService(ecs: ECSClient, ref: ServiceRef): Promise<Service> {
  let out: DescribeServicesCommandOutput;
  try {
    out = await ecs.send(
      new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }),
    );
  } catch (error) {
    if (isAwsError(error, 'ClusterNotFoundException')) {
      throw new EcsRollbackError(
        'E_CLUSTER_NOT_FOUND',
        `cluster "${ref.cluster}" not found in this account and region: check --cluster and AWS_REGION`,
        { cause: error },
      );
    }
    throw awsFailure('DescribeServices', error);
  }
  const service = out.services?.[0];
  if (!service || (service.status !== undefined && service.status !== 'ACTIVE')) {
    const state = service?.status ? ` (it is ${service.status})` : '';
    throw new EcsRollbackError(
      'E_SERVICE_NOT_FOUND',
      `service "${ref.service}" not found in cluster "${ref.cluster}"${state}: check --service and --cluster`,
    );
  }
  if (!service.taskDefinition) {
    throw new EcsRollbackError(
      'E_SERVICE_NOT_FOUND',
      `service "${ref.service}" in cluster "${ref.cluster}" has no task definition (is it managed by an external deployment controller?)`,
    );
  }
  return service;
}
