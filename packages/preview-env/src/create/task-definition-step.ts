import {
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { removeTaskDefinitions } from '../cleanup.ts';
import { awsStep } from '../steps.ts';
import type { CreateContext } from './context.ts';

/** Registers the environment's new revision; the rollback removes it. */
export async function registerTaskDefinition(
  ctx: CreateContext,
  input: RegisterTaskDefinitionCommandInput,
): Promise<string> {
  const { ecs } = ctx.clients;
  const out = await awsStep('register task definition', ctx.names.family, () =>
    ecs.send(new RegisterTaskDefinitionCommand(input)),
  );
  const arn = out.taskDefinition?.taskDefinitionArn as string;
  ctx.rollback.add(`task definition ${arn.split('/').pop()}`, () =>
    removeTaskDefinitions(ctx.cleanupClients.ecs, { active: [arn], inactive: [] }),
  );
  return arn;
}
