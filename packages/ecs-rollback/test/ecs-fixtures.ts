import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';

/**
 * The image repository of most fixtures: not ECR, so the image check notes it as not checked.
 * Tests of the ECR check use {@link ecrRepository} and {@link pushImage}.
 */
export const REPO = 'ghcr.io/berth-dev/app';

/** An ECR repository URI in the test file's emulator account. */
export function ecrRepository(accountId: string, name: string): string {
  return `${accountId}.dkr.ecr.us-east-1.amazonaws.com/${name}`;
}

/** A fake digest, distinct per seed. */
export function digestOf(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

/** Creates the repository (once) and pushes a manifest under `tag` with `digest`. */
export async function pushImage(
  ecr: ECRClient,
  repositoryName: string,
  tag: string,
  digest: string,
): Promise<void> {
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'RepositoryAlreadyExistsException') throw error;
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1,
      digest,
    },
    layers: [],
  });
  await ecr.send(
    new PutImageCommand({
      repositoryName,
      imageManifest: manifest,
      imageTag: tag,
      imageDigest: digest,
    }),
  );
}

/** Registers one revision per image tag (`env` varies per revision too); returns the ARNs. */
export async function registerRevisions(
  ecs: ECSClient,
  family: string,
  tags: string[],
  options: { sidecar?: boolean; repository?: string } = {},
): Promise<string[]> {
  const repository = options.repository ?? REPO;
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
            image: tag.includes('@') ? `${repository}${tag}` : `${repository}:${tag}`,
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
