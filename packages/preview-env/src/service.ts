import type { CreateServiceCommandInput, Service } from '@aws-sdk/client-ecs';

/** What an environment's service differs in from the reference service. */
export interface ServiceChanges {
  cluster: string;
  serviceName: string;
  taskDefinitionArn: string;
  targetGroupArn: string;
  container: string;
  containerPort: number;
  desiredCount: number;
  tags: { key: string; value: string }[];
}

/** Where a service runs its tasks: what a one-off task (a hook) of it needs to run alike. */
export function taskPlacement(
  service: Service,
): Pick<
  CreateServiceCommandInput,
  'capacityProviderStrategy' | 'launchType' | 'platformVersion' | 'networkConfiguration'
> {
  const strategy = service.capacityProviderStrategy?.length
    ? service.capacityProviderStrategy
    : undefined;
  const fargate =
    service.launchType === 'FARGATE' ||
    (strategy ?? []).some((s) => s.capacityProvider?.startsWith('FARGATE'));
  return {
    ...(strategy
      ? { capacityProviderStrategy: strategy }
      : service.launchType
        ? { launchType: service.launchType }
        : {}),
    ...(fargate && service.platformVersion ? { platformVersion: service.platformVersion } : {}),
    ...(service.networkConfiguration?.awsvpcConfiguration
      ? { networkConfiguration: service.networkConfiguration }
      : {}),
  };
}

/**
 * CreateService input of an environment: network configuration, capacity provider strategy
 * (or launch type), platform version, execute-command setting, deployment configuration and
 * placement copied from the reference; its own task definition and target group; tags
 * propagated to tasks.
 */
export function serviceInput(
  reference: Service,
  changes: ServiceChanges,
): CreateServiceCommandInput {
  const r = reference;
  const strategy = r.capacityProviderStrategy?.length ? r.capacityProviderStrategy : undefined;
  const fargate =
    r.launchType === 'FARGATE' ||
    (strategy ?? []).some((s) => s.capacityProvider?.startsWith('FARGATE'));
  const input: CreateServiceCommandInput = {
    cluster: changes.cluster,
    serviceName: changes.serviceName,
    taskDefinition: changes.taskDefinitionArn,
    desiredCount: changes.desiredCount,
    loadBalancers: [
      {
        targetGroupArn: changes.targetGroupArn,
        containerName: changes.container,
        containerPort: changes.containerPort,
      },
    ],
    ...(strategy
      ? { capacityProviderStrategy: strategy }
      : r.launchType
        ? { launchType: r.launchType }
        : {}),
    ...(fargate && r.platformVersion ? { platformVersion: r.platformVersion } : {}),
    ...(r.networkConfiguration?.awsvpcConfiguration
      ? { networkConfiguration: r.networkConfiguration }
      : {}),
    ...(r.enableExecuteCommand !== undefined
      ? { enableExecuteCommand: r.enableExecuteCommand }
      : {}),
    ...(r.deploymentConfiguration ? { deploymentConfiguration: r.deploymentConfiguration } : {}),
    ...(r.healthCheckGracePeriodSeconds !== undefined
      ? { healthCheckGracePeriodSeconds: r.healthCheckGracePeriodSeconds }
      : {}),
    ...(!fargate && r.placementConstraints?.length
      ? { placementConstraints: r.placementConstraints }
      : {}),
    ...(!fargate && r.placementStrategy?.length ? { placementStrategy: r.placementStrategy } : {}),
    schedulingStrategy: 'REPLICA',
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
    tags: changes.tags,
  };
  return input;
}
