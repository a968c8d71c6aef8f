import {
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import {
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { backoffDelay, type Clock, chunk, isAwsError, isLostResponse } from '@berth/internal';

/**
 * Removal steps shared by delete, sweep and a failed create's rollback. Each tolerates the
 * piece being gone already, so running one twice, or after a half-finished run, is safe:
 * when an answer is lost (AWS may have applied the call), each is sent once more.
 */
async function onceMore<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!isLostResponse(error)) throw error;
    return send();
  }
}

/** Deletes a service at once (`force`: no scaling to zero first); gone or inactive is fine. */
export async function deleteServiceIfPresent(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<boolean> {
  try {
    await onceMore(() => ecs.send(new DeleteServiceCommand({ cluster, service, force: true })));
    return true;
  } catch (error) {
    if (isAwsError(error, 'ServiceNotFoundException', 'ServiceNotActiveException')) return false;
    throw error;
  }
}

/** Deletes a listener rule; `RuleNotFound` (already gone) is fine. */
export async function deleteRuleIfPresent(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
): Promise<boolean> {
  try {
    await onceMore(() => elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn })));
    return true;
  } catch (error) {
    if (isAwsError(error, 'RuleNotFound', 'RuleNotFoundException')) return false;
    throw error;
  }
}

/**
 * Deletes a target group. `ResourceInUse` right after its rule was deleted means the deletion
 * has not settled yet: retried with backoff (on the injected clock). Already gone is fine.
 */
export async function deleteTargetGroupIfPresent(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  clock: Clock,
  attempts = 8,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await onceMore(() =>
        elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn })),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return false;
      if (isAwsError(error, 'ResourceInUse', 'ResourceInUseException') && attempt < attempts - 1) {
        await clock.sleep(backoffDelay(attempt, { baseMs: 1000, maxMs: 10_000 }));
        continue;
      }
      throw error;
    }
  }
}

/** Deregisters ACTIVE task definition revisions (already INACTIVE is fine). */
export async function deregisterTaskDefinitions(
  ecs: ECSClient,
  arns: readonly string[],
): Promise<void> {
  await Promise.all(
    arns.map(async (arn) => {
      try {
        await onceMore(() =>
          ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })),
        );
      } catch (error) {
        if (!isAwsError(error, 'ClientException')) throw error;
      }
    }),
  );
}

/**
 * Removes task definition revisions: deregisters the ACTIVE ones, then deletes them all
 * (DeleteTaskDefinitions takes only INACTIVE revisions).
 */
export async function removeTaskDefinitions(
  ecs: ECSClient,
  revisions: { active: readonly string[]; inactive: readonly string[] },
): Promise<void> {
  await deregisterTaskDefinitions(ecs, revisions.active);
  await deleteInactiveTaskDefinitions(ecs, [...revisions.active, ...revisions.inactive]);
}

/** DeleteTaskDefinitions in batches of 10; revisions already being deleted are fine. */
export async function deleteInactiveTaskDefinitions(
  ecs: ECSClient,
  arns: readonly string[],
): Promise<void> {
  await Promise.all(
    chunk(arns, 10).map(async (taskDefinitions) => {
      const out = await onceMore(() =>
        ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions })),
      );
      const real = (out.failures ?? []).filter(
        (f) => !/DELETE_IN_PROGRESS|does not exist|not found/i.test(`${f.reason} ${f.detail}`),
      );
      if (real.length) {
        const f = real[0];
        throw Object.assign(
          new Error(`${f?.arn}: ${f?.reason}${f?.detail ? ` (${f.detail})` : ''}`),
          {
            name: 'DeleteTaskDefinitionsFailure',
          },
        );
      }
    }),
  );
}
