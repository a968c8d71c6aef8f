import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';

export const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app';

/** Registers one revision per image tag (`env` varies per revision too); returns the ARNs. */
export async function registerRevisions(
  ecs: ECSClient,
  family: string,
  tags: string[],
  options: { sidecar?: boolean } = {},
): Promise<string[]> {
  const arns: string[] = [];
  for (const [i, tag] of tags.entries()) {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
        containerDefinitions: [
          {
            name: 'web',
            image: `${REPO}:${tag}`,
            essential: true,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
            environment: [{ name: 'BUILD', value: String(i + 1) }],
          },
          ...(options.sidecar
            ? [
                {
                  name: 'envoy',
                  image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29',
                  essential: true,
                },
              ]
            : []),
        ],
        tags: [{ key: 'team', value: 'berth' }],
      }),
    );
    arns.push(out.taskDefinition?.taskDefinitionArn as string);
  }
  return arns;
}

/** Creates (once) the cluster and a service running `taskDefinition`. */
export async function createService(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinition: string,
): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition,
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }),
  );
}

/** The task definition the service is set to run. */
export async function serviceTaskDefinition(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<string> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return out.services?.[0]?.taskDefinition as string;
}

/** ARNs of the family's revisions with `status`, sorted by revision. */
export async function familyArns(
  ecs: ECSClient,
  family: string,
  status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE',
): Promise<string[]> {
  const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status }));
  return (out.taskDefinitionArns ?? [])
    .filter((a) => a.includes(`/${family}:`))
    .sort((a, b) => Number(a.split(':').pop()) - Number(b.split(':').pop()));
}
