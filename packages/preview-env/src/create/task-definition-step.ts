import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { isLostResponse } from '@berth/internal';
import { listTaskDefinitionRevisions } from '../aws-read.ts';
import { removeTaskDefinitions } from '../cleanup.ts';
import { awsStep } from '../steps.ts';
import { TAG, tagMap } from '../tags.ts';
import type { CreateContext } from './context.ts';

/** Registers the environment's new revision; the rollback removes it. */
export async function registerTaskDefinition(
  ctx: CreateContext,
  input: RegisterTaskDefinitionCommandInput,
): Promise<string> {
  const { ecs } = ctx.clients;
  const tags = [...(input.tags ?? []), { key: TAG.createId, value: ctx.createId }];
  const out = await awsStep('register task definition', ctx.names.family, async () => {
    try {
      return await ecs.send(new RegisterTaskDefinitionCommand({ ...input, tags }));
    } catch (error) {
      if (isLostResponse(error)) {
        ctx.rollback.add(`task definition ${ctx.names.family} (if it was registered)`, () =>
          removeOwnRevisions(ctx),
        );
      }
      throw error;
    }
  });
  const arn = out.taskDefinition?.taskDefinitionArn as string;
  ctx.rollback.add(`task definition ${arn.split('/').pop()}`, () =>
    removeTaskDefinitions(ctx.cleanupClients.ecs, { active: [arn], inactive: [] }),
  );
  return arn;
}

/**
 * After a registration whose answer was lost: the newest ACTIVE revisions of the family that
 * carry this call's create-id tag are this call's, and are removed.
 */
async function removeOwnRevisions(ctx: CreateContext): Promise<void> {
  const ecs = ctx.cleanupClients.ecs;
  const { active } = await listTaskDefinitionRevisions(ecs, ctx.names.family);
  const revision = (arn: string) => Number(arn.split(':').pop());
  const newest = [...active].sort((a, b) => revision(b) - revision(a)).slice(0, 3);
  const described = await Promise.all(
    newest.map((arn) =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })),
    ),
  );
  const ours = described
    .filter((d) => tagMap(d.tags)[TAG.createId] === ctx.createId)
    .map((d) => d.taskDefinition?.taskDefinitionArn as string);
  if (ours.length) await removeTaskDefinitions(ecs, { active: ours, inactive: [] });
}
