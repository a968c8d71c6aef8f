import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import type { HooksConfigInput } from '../src/config-objects.ts';
import type { PreviewEnvError } from '../src/errors.ts';
import { createPreviewEnv } from '../src/preview-env.ts';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, IMAGE_2, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
let logs: CloudWatchLogsClient;
const LOG_GROUP = '/ecs/app';

beforeAll(async () => {
  fx = await setup(aws);
  logs = new CloudWatchLogsClient(aws.clientConfig);
  // The reference logs with awslogs, so a failed hook's last lines can be read back.
  const { ecs } = fx.clients;
  const ref = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'app' }));
  const td = ref.taskDefinition;
  const next = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      networkMode: td?.networkMode,
      requiresCompatibilities: td?.requiresCompatibilities,
      cpu: td?.cpu,
      memory: td?.memory,
      // moto's RunTask needs a container-level memory (AWS does not, with a task-level one)
      containerDefinitions: (td?.containerDefinitions ?? []).map((c) => ({
        ...c,
        memory: 512,
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': LOG_GROUP,
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': 'app',
          },
        },
      })),
    }),
  );
  await ecs.send(
    new UpdateServiceCommand({
      cluster: fx.config.cluster,
      service: fx.config.referenceService,
      taskDefinition: next.taskDefinition?.taskDefinitionArn,
    }),
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
  // moto's RunTask in awsvpc mode also needs a VPC with DNS host names (most have them).
  const answer = await fetch(String(aws.clientConfig.endpoint), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261120/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({
      Action: 'ModifyVpcAttribute',
      Version: '2016-11-15',
      VpcId: fx.seed.vpcId,
      'EnableDnsHostnames.Value': 'true',
    }),
  });
  expect(answer.status).toBe(200);
});

const HOOKS: HooksConfigInput = {
  predeploy: { command: ['npm', 'run', 'migrate'], timeout: '10m' },
  postcreate: { command: ['npm', 'run', 'seed'] },
  predelete: { command: ['npm', 'run', 'drop-db'] },
};

function previews(ecs: ECSClient = fx.clients.ecs, hooks: HooksConfigInput = HOOKS) {
  const lines: string[] = [];
  const instance = createPreviewEnv({
    config: resolveConfig({ ...fx.config, hooks }),
    clients: { ...fx.clients, ecs, logs },
    clock: fakeClock(),
    logger: { info: (m) => lines.push(m), warn: (m) => lines.push(`warn: ${m}`) },
  });
  return { instance, lines };
}

/**
 * An ECS client whose hook tasks (startedBy preview-env:<hook>) end as `outcome` says: moto
 * cannot make a task fail. Writes the task's log lines to CloudWatch Logs (moto) as the
 * awslogs driver would.
 */
function failingTasks(
  hook: string,
  outcome: { exitCode?: number; reason?: string; runForever?: boolean; logLines?: number },
): { ecs: ECSClient; stopped: string[] } {
  const ecs = new ECSClient(aws.clientConfig);
  const hookTasks = new Set<string>();
  const stopped: string[] = [];
  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { startedBy?: string; task?: string };
      const out = await next(args);
      const output = out.output as {
        tasks?: {
          taskArn?: string;
          lastStatus?: string;
          stoppedReason?: string;
          containers?: { name?: string; exitCode?: number }[];
        }[];
      };
      if (context.commandName === 'RunTaskCommand' && input.startedBy === `preview-env:${hook}`) {
        for (const t of output.tasks ?? []) {
          hookTasks.add(t.taskArn as string);
          const id = (t.taskArn as string).split('/').pop();
          const stream = `app/web/${id}`;
          await logs.send(
            new CreateLogStreamCommand({ logGroupName: LOG_GROUP, logStreamName: stream }),
          );
          const count = outcome.logLines ?? 0;
          if (count) {
            await logs.send(
              new PutLogEventsCommand({
                logGroupName: LOG_GROUP,
                logStreamName: stream,
                logEvents: Array.from({ length: count }, (_, i) => ({
                  timestamp: Date.now() - 60_000 + i, // CloudWatch refuses events older than 14 days
                  message: `line ${i + 1}`,
                })),
              }),
            );
          }
        }
      }
      if (context.commandName === 'StopTaskCommand') stopped.push(input.task as string);
      if (context.commandName === 'DescribeTasksCommand') {
        for (const t of output.tasks ?? []) {
          if (!hookTasks.has(t.taskArn as string)) continue;
          if (outcome.runForever && !stopped.includes(t.taskArn as string)) {
            t.lastStatus = 'RUNNING';
            continue;
          }
          t.lastStatus = 'STOPPED';
          t.stoppedReason = stopped.includes(t.taskArn as string)
            ? 'Task stopped by user'
            : (outcome.reason ?? 'Essential container in task exited');
          for (const c of t.containers ?? []) {
            if (c.name === 'web' && outcome.exitCode !== undefined) c.exitCode = outcome.exitCode;
          }
        }
      }
      return out;
    },
    { step: 'initialize', name: 'failingHookTasks' },
  );
  return { ecs, stopped };
}

const order = () => aws.proxy.calls.map((c) => c.operation);

describe('hooks', () => {
  it('runs predeploy before the service is created, postcreate after, predelete before delete', async () => {
    const { instance, lines } = previews();
    aws.proxy.resetStats();
    const env = await instance.create('pr-400', { image: IMAGE_1 });
    const ops = order();
    expect(ops.indexOf('RegisterTaskDefinition')).toBeLessThan(ops.indexOf('RunTask'));
    const runs = ops.flatMap((op, i) => (op === 'RunTask' ? [i] : []));
    expect(runs).toHaveLength(2);
    expect(runs[0]).toBeLessThan(ops.indexOf('CreateService'));
    expect(runs[1]).toBeGreaterThan(ops.indexOf('CreateService'));
    expect(env.hooks.map((h) => [h.hook, h.ok, h.exitCode])).toEqual([
      ['predeploy', true, 0],
      ['postcreate', true, 0],
    ]);
    expect(lines).toContain('running the predeploy hook: npm run migrate (in web)');

    // The task: the environment's revision, its network, the command, the environment's tags.
    const described = await fx.clients.ecs.send(
      new DescribeTasksCommand({
        cluster: fx.config.cluster,
        tasks: env.hooks.map((h) => h.taskArn as string),
        include: ['TAGS'],
      }),
    );
    const pre = described.tasks?.find((t) => t.taskArn === env.hooks[0]?.taskArn);
    expect(pre?.taskDefinitionArn).toBe(env.taskDefinitionArn);
    expect(pre?.overrides?.containerOverrides).toEqual([
      expect.objectContaining({ name: 'web', command: ['npm', 'run', 'migrate'] }),
    ]);
    expect(pre?.attachments?.length ?? pre?.launchType).toBeTruthy();
    expect(Object.fromEntries((pre?.tags ?? []).map((t) => [t.key, t.value]))).toMatchObject({
      'preview-env:prefix': 'app',
      'preview-env:name': 'pr-400',
      'preview-env:hook': 'predeploy',
    });

    // An update runs predeploy (before UpdateService), not postcreate.
    aws.proxy.resetStats();
    const updated = await instance.create('pr-400', { image: IMAGE_2 });
    const ops2 = order();
    expect(updated.hooks.map((h) => h.hook)).toEqual(['predeploy']);
    expect(ops2.indexOf('RunTask')).toBeLessThan(ops2.indexOf('UpdateService'));
    // Unchanged: no hook.
    expect((await instance.create('pr-400', { image: IMAGE_2 })).hooks).toEqual([]);

    aws.proxy.resetStats();
    const deleted = await instance.delete('pr-400');
    const ops3 = order();
    expect(deleted.hooks.map((h) => [h.hook, h.ok])).toEqual([['predelete', true]]);
    expect(ops3.indexOf('RunTask')).toBeLessThan(ops3.indexOf('DeleteService'));
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('a failing predeploy on a first create removes everything, reporting exit code, reason and log', async () => {
    const { ecs } = failingTasks('predeploy', { exitCode: 3, logLines: 60 });
    const { instance, lines } = previews(ecs);
    const error = (await instance
      .create('pr-401', { image: IMAGE_1 })
      .catch((e) => e)) as PreviewEnvError;
    expect(error.code).toBe('E_HOOK_FAILED');
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(
      /^the predeploy hook exited with code 3 \(Essential container in task exited\); its last 50 log lines are above; everything this call created was removed$/,
    );
    expect(error.hook?.logs).toHaveLength(50);
    expect(error.hook?.logs?.at(-1)).toBe('line 60');
    expect(lines.filter((l) => l.startsWith('warn: predeploy| '))).toHaveLength(50);
    expect(order()).not.toContain('CreateService');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('a failing predeploy on an update keeps the service on its old revision and drops the new one', async () => {
    const first = await previews().instance.create('pr-402', { image: IMAGE_1 });
    const { ecs } = failingTasks('predeploy', { exitCode: 1 });
    aws.proxy.resetStats();
    await expect(previews(ecs).instance.create('pr-402', { image: IMAGE_2 })).rejects.toMatchObject(
      {
        code: 'E_HOOK_FAILED',
        hook: { exitCode: 1, ok: false },
      },
    );
    expect(order()).not.toContain('UpdateService');
    const svc = await fx.clients.ecs.send(
      new DescribeServicesCommand({ cluster: fx.config.cluster, services: ['app-pr-402'] }),
    );
    expect(svc.services?.[0]?.taskDefinition).toBe(first.taskDefinitionArn);
    expect((await inventory(fx)).taskDefinitions).toEqual(['app-pr-402:1']);
    await previews().instance.delete('pr-402');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('a timed-out hook is stopped and reported', async () => {
    const { ecs, stopped } = failingTasks('predeploy', { runForever: true });
    const error = (await previews(ecs, { predeploy: { command: ['sleep', '1h'], timeout: '2m' } })
      .instance.create('pr-403', { image: IMAGE_1 })
      .catch((e) => e)) as PreviewEnvError;
    expect(stopped).toHaveLength(1);
    expect(error).toMatchObject({ code: 'E_HOOK_FAILED', hook: { timedOut: true } });
    expect(error.message).toMatch(
      /^the predeploy hook timed out after 2m and was stopped \(Task stopped by user\)/,
    );
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('a failing postcreate leaves the environment (exit 1); a failing predelete still deletes', async () => {
    const post = failingTasks('postcreate', { exitCode: 2 });
    const error = (await previews(post.ecs)
      .instance.create('pr-404', { image: IMAGE_1 })
      .catch((e) => e)) as PreviewEnvError;
    expect(error).toMatchObject({
      code: 'E_HOOK_FAILED',
      exitCode: 1,
      hook: { hook: 'postcreate', exitCode: 2 },
    });
    expect(error.message).toContain('the environment stays at https://pr-404.preview.example.com');
    const [listed] = await previews().instance.list();
    expect(listed).toMatchObject({ name: 'pr-404', missing: [] });

    const pre = failingTasks('predelete', { exitCode: 5 });
    const { instance, lines } = previews(pre.ecs);
    const deleted = await instance.delete('pr-404');
    expect(deleted.hooks).toEqual([
      expect.objectContaining({ hook: 'predelete', ok: false, exitCode: 5 }),
    ]);
    expect(deleted.deleted).toBe(true);
    expect(
      lines.some((l) => /warn: the predelete hook exited with code 5 .*; deleting anyway/.test(l)),
    ).toBe(true);
    expect(await inventory(fx)).toEqual(EMPTY);
  });
});
