import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ECSClient, ListTaskDefinitionsCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { runAction, useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  REPO,
  registerRevisions,
  serviceTaskDefinition,
} from '../../../packages/ecs-rollback/test/ecs-fixtures.ts';

const actionDir = join(import.meta.dirname, '..');
const aws = useAws();
let ecs: ECSClient;
let n = 0;

beforeAll(() => {
  if (!existsSync(join(actionDir, 'dist', 'index.mjs'))) {
    throw new Error(
      'dist/index.mjs is missing: run pnpm --filter @berth/action-ecs-rollback build first',
    );
  }
  ecs = new ECSClient(aws.clientConfig);
});
afterAll(() => ecs.destroy());

async function setup(tags: string[]) {
  n++;
  const family = `act${n}`;
  const service = `svc${n}`;
  const arns = await registerRevisions(ecs, family, tags);
  await createService(ecs, 'dev', service, arns[arns.length - 1] as string);
  return { family, service, arns };
}

async function activeCount(family: string): Promise<number> {
  const out = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }),
  );
  return (out.taskDefinitionArns ?? []).filter((a) => a.includes(`/${family}:`)).length;
}

describe('ecs-rollback action (action.yml, as the runner runs it)', () => {
  it('rolls back to a tag, reusing its revision, with outputs and a from/to summary table', async () => {
    const { family, service, arns } = await setup(['v1', 'v2', 'v3']);
    const run = await runAction(actionDir, {
      inputs: { cluster: 'dev', service, to: 'v1', 'no-wait': 'true' },
      env: aws.env,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.steps.find((s) => s.kind === 'uses')?.skipped).toBe(true);
    expect(run.outputs).toMatchObject({
      'task-definition-arn': arns[0],
      'from-task-definition-arn': arns[2],
      status: 'started',
      registered: 'false',
      method: 'update-service',
      cause: '',
    });
    expect(run.summary).toContain(
      '**Images:** web: `not-checked` (not an Amazon ECR image: not checked)',
    );
    expect(run.summary).toMatch(
      /\*\*Method:\*\* `update-service`: UpdateService, not ECS's own rollback: /,
    );
    expect(run.outputs.reason).toMatch(/existing revision reused/);
    expect(run.stdout).toMatch(new RegExp(`from  ${family}:3  web=${REPO}:v3`));
    expect(run.summary).toContain('| | Task definition | Images |');
    expect(run.summary).toContain(`| From | \`${family}:3\` | web: \`${REPO}:v3\` |`);
    expect(run.summary).toContain(
      `| To | \`${family}:1\` (existing revision reused) | web: \`${REPO}:v1\` |`,
    );
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
    expect(await activeCount(family)).toBe(3);
  });

  it('changes nothing in a dry run', async () => {
    const { family, service, arns } = await setup(['v1', 'v2']);
    const run = await runAction(actionDir, {
      inputs: { cluster: 'dev', service, 'dry-run': 'true' },
      env: aws.env,
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('dry-run');
    expect(run.outputs['task-definition-arn']).toBe(arns[0]);
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[1]);
    expect(await activeCount(family)).toBe(2);
  });

  it('fails the step with the known tags when no revision runs the tag', async () => {
    const { service } = await setup(['v1', 'v2']);
    const run = await runAction(actionDir, {
      inputs: { cluster: 'dev', service, to: 'v9', 'no-wait': 'true' },
      env: aws.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('error');
    expect(run.outputs.reason).toMatch(/Tags that exist: v2 \(revision 2\), v1 \(revision 1\)/);
    expect(run.stdout).toMatch(/::error::no ACTIVE revision/);
  });

  it('watches, times out where deployments never progress, and rolls back on failure', async () => {
    const { service, arns } = await setup(['v1', 'v2']);
    const run = await runAction(actionDir, {
      inputs: {
        mode: 'watch',
        cluster: 'dev',
        service,
        timeout: '1s',
        poll: '250ms',
        'rollback-on-failure': 'true',
      },
      env: aws.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('timeout');
    expect(run.outputs['rollback-status']).toBe('timeout');
    expect(run.outputs['task-definition-arn']).toBe(arns[0]);
    expect(run.outputs.cause).toBe('timeout');
    expect(run.outputs.remedy).toMatch(/^the deployment neither succeeded nor failed in time/);
    expect(run.outputs.method).toBe('update-service');
    expect(run.summary).toContain('### ECS deployment:');
    expect(run.summary).toContain('**Cause:** `timeout`: the deployment neither succeeded');
    expect(run.summary).toContain('| From |');
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
  });

  it('does not roll back a service someone else deployed while it watched', async () => {
    const { service, arns } = await setup(['v1', 'v2', 'v3']);
    aws.proxy.resetStats();
    const running = runAction(actionDir, {
      inputs: {
        mode: 'watch',
        cluster: 'dev',
        service,
        timeout: '5s',
        poll: '250ms',
        'rollback-on-failure': 'true',
      },
      env: aws.env,
    });
    // Once the watch has polled (ListTasks follows its first DescribeServices), another tool
    // deploys v1.
    while (!aws.proxy.calls.some((c) => c.operation === 'ListTasks')) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'dev', service, taskDefinition: arns[0] as string }),
    );
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('timeout');
    expect(run.outputs['rollback-status']).toBe('skipped');
    expect(run.outputs.reason).toMatch(
      /not rolled back: the service now runs .*:1, not the watched .*:3/,
    );
    expect(run.summary).toContain('**Not rolled back:**');
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
  });

  it('writes a job summary when there is nothing to roll back to', async () => {
    const { service } = await setup(['v1']);
    const run = await runAction(actionDir, {
      inputs: { cluster: 'dev', service, 'no-wait': 'true' },
      env: aws.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('error');
    expect(run.summary).toMatch(/\*\*Failed:\*\* nothing to roll back to/);
  });

  it('refuses bad inputs', async () => {
    const run = await runAction(actionDir, {
      inputs: { cluster: 'dev', service: 'x', mode: 'deploy' },
      env: aws.env,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::input "mode" must be rollback or watch, got "deploy"/);
    const bad = await runAction(actionDir, {
      inputs: { cluster: 'dev', service: 'x', 'no-wait': 'yes' },
      env: aws.env,
    });
    expect(bad.stdout).toMatch(/::error::input "no-wait" must be true or false/);
  });
});
