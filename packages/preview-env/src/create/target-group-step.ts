import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isAwsError, isLostResponse } from '@berth/internal';
import { elbTagsOf, findTargetGroup } from '../aws-read.ts';
import { deleteTargetGroupIfPresent } from '../cleanup.ts';
import { PreviewEnvError } from '../errors.ts';
import { awsStep, stepError } from '../steps.ts';
import { elbTags, isOwnedBy, stateTags, TAG, type TagMap } from '../tags.ts';
import { targetGroupInput } from '../target-group.ts';
import type { CreateContext, Owned } from './context.ts';

/**
 * The environment's target group: created as a copy of the reference's (protocol, port, VPC,
 * health check), tagged with this call's id so a rollback removes only its own. A concurrent
 * create of the same environment that made it first is fine: its group is used.
 */
export async function createTargetGroup(
  ctx: CreateContext,
  referenceArn: string,
  known: TargetGroup | undefined,
): Promise<Owned<TargetGroup>> {
  const { elbv2 } = ctx.clients;
  const { names, config } = ctx;
  const reference =
    known ??
    (await awsStep('read reference target group', referenceArn, async () => {
      const out = await elbv2.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: [referenceArn] }),
      );
      return out.TargetGroups?.[0] as TargetGroup;
    }));
  const tags = stateTags(names, config.namePrefix, {
    createdAt: ctx.now,
    deployedAt: ctx.now,
    image: ctx.request.image,
    createId: ctx.createId,
  });
  const input = targetGroupInput(reference, names.targetGroupName, elbTags(tags));
  try {
    const out = await elbv2.send(new CreateTargetGroupCommand(input));
    const group = out.TargetGroups?.[0] as TargetGroup;
    const arn = group.TargetGroupArn as string;
    ctx.rollback.add(`target group ${names.targetGroupName}`, (failed) => {
      if (failed.some((f) => f.startsWith('listener rule'))) {
        throw new Error('the listener rule that forwards to it is still there');
      }
      return undoTargetGroup(ctx, arn);
    });
    return { value: group, created: true };
  } catch (error) {
    if (isLostResponse(error)) {
      // AWS may have made it: find it by name; our create-id tag says whether it is ours.
      ctx.rollback.add(`target group ${names.targetGroupName} (if it was made)`, async () => {
        const made = await findTargetGroup(ctx.cleanupClients.elbv2, names.targetGroupName);
        if (made?.TargetGroupArn) await undoTargetGroup(ctx, made.TargetGroupArn);
      });
    }
    if (!isAwsError(error, 'DuplicateTargetGroupName', 'DuplicateTargetGroupNameException')) {
      throw stepError('create target group', names.targetGroupName, error);
    }
  }
  // Another create of this environment made it between our read and our create.
  const group = await awsStep('read target group', names.targetGroupName, () =>
    findTargetGroup(elbv2, names.targetGroupName),
  );
  const found = group?.TargetGroupArn
    ? (
        await awsStep('read tags', group.TargetGroupArn, () =>
          elbTagsOf(elbv2, [group.TargetGroupArn as string]),
        )
      ).get(group.TargetGroupArn)
    : undefined;
  if (!group || !isOwnedBy(found ?? {}, config.namePrefix, names.name)) {
    throw new PreviewEnvError(
      'E_CONFLICT',
      `target group ${names.targetGroupName} already exists and is not preview environment ${names.name}'s; change "namePrefix"`,
      { step: 'create target group', resource: names.targetGroupName },
    );
  }
  return { value: group, created: false };
}

/**
 * Removes the target group this call created. Where CreateTargetGroup is idempotent (real
 * AWS), a concurrent create of the same environment may have made it: its create-id tag
 * says whose it is, and another call's group stays.
 */
export async function undoTargetGroup(ctx: CreateContext, arn: string): Promise<void> {
  const { elbv2 } = ctx.cleanupClients;
  let tags: TagMap | undefined;
  try {
    tags = (await elbTagsOf(elbv2, [arn])).get(arn);
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return;
    // unsure whose it is: leave it, and let the rollback report it
    throw error;
  }
  // Not tagged with this call's id (another create's, or someone's group AWS handed back
  // because the settings matched): not ours to remove.
  if (tags?.[TAG.createId] !== ctx.createId) return;
  await deleteTargetGroupIfPresent(elbv2, arn, ctx.clock);
}

/** The deregistration delay of a new target group (AWS's default of 300 s is far too long). */
export async function setTargetGroupAttributes(ctx: CreateContext, arn: string): Promise<void> {
  await awsStep('set target group attributes', ctx.names.targetGroupName, () =>
    ctx.clients.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [
          {
            Key: 'deregistration_delay.timeout_seconds',
            Value: String(ctx.config.deregistrationDelay / 1000),
          },
        ],
      }),
    ),
  );
}
