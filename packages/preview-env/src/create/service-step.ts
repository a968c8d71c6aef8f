import {
  CreateServiceCommand,
  type Service,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { isAwsError, isLostResponse } from '@berth/internal';
import { describeActiveService } from '../aws-read.ts';
import { deleteServiceIfPresent } from '../cleanup.ts';
import { PreviewEnvError } from '../errors.ts';
import { serviceInput } from '../service.ts';
import { awsStep, round, stepError } from '../steps.ts';
import { ecsTags, inheritedTags, TAG, type TagMap, tagMap } from '../tags.ts';
import type { CreateContext, Owned } from './context.ts';

/** Where the service's tasks go: the revision and the load balancer entry. */
export interface ServiceTarget {
  taskDefinitionArn: string;
  targetGroupArn: string;
  container: string;
  containerPort: number;
  /** State tags of this deploy. */
  state: TagMap;
  /** Set when the environment is asleep: the desired count to restore and the wake tags. */
  wake?: { desiredCount: number; tags: TagMap } | undefined;
}

/**
 * Creates the environment's service as a copy of the reference's settings. A concurrent
 * create of the same environment that made it first is fine: this call deploys to it.
 */
export async function createService(
  ctx: CreateContext,
  reference: Service,
  target: ServiceTarget,
): Promise<Owned<Service>> {
  const { ecs } = ctx.clients;
  const { config, names } = ctx;
  const input = serviceInput(reference, {
    cluster: config.cluster,
    serviceName: names.serviceName,
    taskDefinitionArn: target.taskDefinitionArn,
    targetGroupArn: target.targetGroupArn,
    container: target.container,
    containerPort: target.containerPort,
    desiredCount: config.desiredCount,
    tags: ecsTags({
      ...inheritedTags(tagMap(reference.tags), 49 - Object.keys(target.state).length),
      ...target.state,
      [TAG.createId]: ctx.createId,
    }),
  });
  try {
    const out = await ecs.send(new CreateServiceCommand({ ...input, clientToken: ctx.createId }));
    const service = out.service as Service;
    ctx.rollback.add(`service ${names.serviceName}`, () =>
      deleteServiceIfPresent(ctx.cleanupClients.ecs, config.cluster, names.serviceName),
    );
    return { value: service, created: true };
  } catch (error) {
    if (isLostResponse(error)) {
      // AWS may have made it: our create-id tag on the service says whether it is ours.
      ctx.rollback.add(`service ${names.serviceName} (if it was made)`, async () => {
        const made = await describeActiveService(
          ctx.cleanupClients.ecs,
          config.cluster,
          names.serviceName,
        );
        if (made && tagMap(made.tags)[TAG.createId] === ctx.createId) {
          await deleteServiceIfPresent(ctx.cleanupClients.ecs, config.cluster, names.serviceName);
        }
      });
    }
    const raced =
      isAwsError(error, 'InvalidParameterException') &&
      /not idempotent|already exists/i.test((error as Error).message ?? '');
    if (!raced) throw stepError('create service', names.serviceName, error);
  }
  // A concurrent create of this environment made the service first: deploy to it instead.
  const current = await awsStep('read service', names.serviceName, () =>
    describeActiveService(ecs, config.cluster, names.serviceName),
  );
  if (!current)
    throw new PreviewEnvError(
      'E_AWS',
      `create service failed for ${names.serviceName}: it exists but is not ACTIVE; retry`,
      { step: 'create service', resource: names.serviceName, retryable: true },
    );
  return updateService(ctx, current, target);
}

/**
 * Deploys the new revision to the existing service and retags it; the rollback puts back the
 * previous revision and tags.
 */
export async function updateService(
  ctx: CreateContext,
  existing: Service,
  target: ServiceTarget,
): Promise<Owned<Service>> {
  const { ecs } = ctx.clients;
  const { config, names } = ctx;
  const groupOk =
    existing.loadBalancers?.some((l) => l.targetGroupArn === target.targetGroupArn) ?? false;
  const { [TAG.createdAt]: _created, ...deployTags } = target.state;
  const fresh = { ...deployTags, ...target.wake?.tags };
  if (target.wake) {
    // Registered first: putting it back to sleep is safe whether or not the write was applied.
    ctx.rollback.add(`desired count of ${names.serviceName} (back to 0: asleep)`, () =>
      ctx.cleanupClients.ecs.send(
        new UpdateServiceCommand({
          cluster: config.cluster,
          service: names.serviceName,
          desiredCount: existing.desiredCount ?? 0,
        }),
      ),
    );
  }
  // Each revert is recorded when its write was applied, or may have been (a lost answer):
  // putting back what was there is safe either way.
  const moved = existing.taskDefinition && existing.taskDefinition !== target.taskDefinitionArn;
  const revertDeployment = () =>
    ctx.cleanupClients.ecs.send(
      new UpdateServiceCommand({
        cluster: config.cluster,
        service: names.serviceName,
        taskDefinition: existing.taskDefinition,
      }),
    );
  const before = tagMap(existing.tags);
  const previous = Object.fromEntries(
    Object.keys(fresh)
      .filter((k) => k in before)
      .map((k) => [k, before[k] as string]),
  );
  const revertTags = () =>
    ctx.cleanupClients.ecs.send(
      new TagResourceCommand({ resourceArn: existing.serviceArn, tags: ecsTags(previous) }),
    );
  const [updated] = await round([
    awsStep('update service', names.serviceName, async () => {
      const update = () =>
        ecs.send(
          new UpdateServiceCommand({
            cluster: config.cluster,
            service: names.serviceName,
            taskDefinition: target.taskDefinitionArn,
            ...(target.wake ? { desiredCount: target.wake.desiredCount } : {}),
            ...(groupOk
              ? {}
              : {
                  loadBalancers: [
                    {
                      targetGroupArn: target.targetGroupArn,
                      containerName: target.container,
                      containerPort: target.containerPort,
                    },
                  ],
                }),
          }),
        );
      const out = moved
        ? await ctx.rollback.around(`deployment of ${names.serviceName}`, revertDeployment, update)
        : await update();
      return out.service as Service;
    }),
    awsStep('tag service', names.serviceName, () =>
      ctx.rollback.around(`tags of ${names.serviceName}`, revertTags, () =>
        ecs.send(
          new TagResourceCommand({ resourceArn: existing.serviceArn, tags: ecsTags(fresh) }),
        ),
      ),
    ),
  ] as const);
  return { value: updated ?? existing, created: false };
}
