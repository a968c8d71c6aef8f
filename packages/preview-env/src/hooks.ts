import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  type ContainerDefinition,
  DescribeTasksCommand,
  RunTaskCommand,
  type Service,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { awsErrorInfo, formatDuration } from '@berth/internal';
import type { HookConfig, HooksConfig } from './config-objects.ts';
import type { OperationContext } from './context.ts';
import { PreviewEnvError } from './errors.ts';
import { taskPlacement } from './service.ts';
import { awsStep } from './steps.ts';
import { ecsTags, TAG, type TagMap } from './tags.ts';

/** The hooks there are. */
export type HookName = keyof HooksConfig;

/** How a hook ended. */
export interface HookReport {
  hook: HookName;
  /** The one-off task. */
  taskArn?: string;
  /** True when the container exited with code 0. */
  ok: boolean;
  exitCode?: number;
  /** ECS's reason the task stopped (e.g. `Essential container in task exited`). */
  stoppedReason?: string;
  /** True when the hook ran past its timeout and was stopped. */
  timedOut: boolean;
  /** Last lines of the container's CloudWatch log (`awslogs`), when it failed. */
  logs?: string[];
}

/** What a hook runs and where. */
export interface HookRun {
  hook: HookName;
  config: HookConfig;
  taskDefinitionArn: string;
  /** Container definitions of that revision (for the container's log configuration). */
  containers: readonly ContainerDefinition[];
  /** The container whose command is replaced when the hook names none. */
  defaultContainer: string;
  /** The service whose network configuration and capacity the task takes. */
  placementFrom: Service;
  /** The environment's tags (prefix, name, pr). */
  tags: TagMap;
  /** Idempotency token of RunTask (at most 64 characters). */
  clientToken: string;
}

const POLL_MS = 5_000;
const LOG_LINES = 50;

/**
 * Runs a hook: the environment's own revision as a one-off task (RunTask) in the service's
 * network configuration and capacity, the command of its container overridden, tagged as the
 * environment's; waits for it to stop (stopping it at the hook's timeout). Success is exit
 * code 0 of that container. A failure reports the exit code, the stopped reason and the last
 * 50 lines of the container's `awslogs` log.
 */
export async function runHook(ctx: OperationContext, run: HookRun): Promise<HookReport> {
  const { config, clients, clock, log } = ctx;
  const container = run.config.container ?? run.defaultContainer;
  if (!run.containers.some((c) => c.name === container)) {
    throw new PreviewEnvError(
      'E_CONFIG',
      `hooks.${run.hook}: the task definition has no container "${container}" (it has ${run.containers.map((c) => c.name).join(', ')}); set hooks.${run.hook}.container`,
    );
  }
  log.info(`running the ${run.hook} hook: ${run.config.command.join(' ')} (in ${container})`);
  const started = await awsStep(`run ${run.hook} hook`, run.taskDefinitionArn, async () => {
    const out = await clients.ecs.send(
      new RunTaskCommand({
        cluster: config.cluster,
        taskDefinition: run.taskDefinitionArn,
        count: 1,
        ...taskPlacement(run.placementFrom),
        overrides: { containerOverrides: [{ name: container, command: [...run.config.command] }] },
        startedBy: `preview-env:${run.hook}`,
        tags: ecsTags({ ...run.tags, [TAG.hook]: run.hook }),
        enableECSManagedTags: true,
        clientToken: run.clientToken,
      }),
    );
    const task = out.tasks?.[0];
    if (!task?.taskArn) {
      const f = out.failures?.[0];
      throw new PreviewEnvError(
        'E_HOOK_FAILED',
        `the ${run.hook} hook could not start: ${f?.reason ?? 'no task'}${f?.detail ? ` (${f.detail})` : ''}`,
        { step: `run ${run.hook} hook`, resource: run.taskDefinitionArn },
      );
    }
    return task;
  });
  const taskArn = started.taskArn as string;
  const deadline = clock.now() + run.config.timeout;
  let task: Task = started;
  let timedOut = false;
  while (task.lastStatus !== 'STOPPED') {
    if (ctx.signal?.aborted || clock.now() >= deadline) {
      timedOut = !ctx.signal?.aborted;
      await stopTask(ctx, taskArn, timedOut ? 'timed out' : 'interrupted');
      if (!timedOut) {
        throw new PreviewEnvError(
          'E_HOOK_FAILED',
          `the ${run.hook} hook was interrupted; its task was stopped`,
          {
            step: `run ${run.hook} hook`,
            resource: taskArn,
          },
        );
      }
      task = (await describeTask(ctx, run.hook, taskArn)) ?? task;
      break;
    }
    try {
      await clock.sleep(Math.min(POLL_MS, Math.max(0, deadline - clock.now())), ctx.signal);
      task = (await describeTask(ctx, run.hook, taskArn)) ?? task;
    } catch (error) {
      // interrupted: the top of the loop stops the task
      if (!ctx.signal?.aborted) throw error;
    }
  }
  const exit = task.containers?.find((c) => c.name === container);
  const report: HookReport = {
    hook: run.hook,
    taskArn,
    ok: !timedOut && exit?.exitCode === 0,
    ...(exit?.exitCode === undefined ? {} : { exitCode: exit.exitCode }),
    ...(task.stoppedReason || exit?.reason
      ? { stoppedReason: [task.stoppedReason, exit?.reason].filter(Boolean).join('; ') }
      : {}),
    timedOut,
  };
  if (!report.ok) {
    const logs = await lastLogLines(ctx, run.containers, container, taskArn);
    if (logs) report.logs = logs;
  }
  return report;
}

/** The error of a failed hook, with what the task said; its log lines go to the logger. */
export function hookError(
  ctx: OperationContext,
  report: HookReport,
  timeoutMs: number,
): PreviewEnvError {
  const what = report.timedOut
    ? `timed out after ${formatDuration(timeoutMs)} and was stopped`
    : report.exitCode === undefined
      ? 'ended without an exit code'
      : `exited with code ${report.exitCode}`;
  const reason = report.stoppedReason ? ` (${report.stoppedReason})` : '';
  const logs = report.logs?.length
    ? `; its last ${report.logs.length} log lines are above`
    : report.logs
      ? '; its log is empty'
      : '';
  for (const line of report.logs ?? []) ctx.log.warn?.(`${report.hook}| ${line}`);
  return new PreviewEnvError('E_HOOK_FAILED', `the ${report.hook} hook ${what}${reason}${logs}`, {
    step: `${report.hook} hook`,
    ...(report.taskArn ? { resource: report.taskArn } : {}),
    hook: report,
  });
}

async function describeTask(
  ctx: OperationContext,
  hook: HookName,
  taskArn: string,
): Promise<Task | undefined> {
  const out = await awsStep(`wait for ${hook} hook`, taskArn, () =>
    ctx.clients.ecs.send(
      new DescribeTasksCommand({ cluster: ctx.config.cluster, tasks: [taskArn] }),
    ),
  );
  return out.tasks?.[0];
}

async function stopTask(ctx: OperationContext, taskArn: string, why: string): Promise<void> {
  try {
    await ctx.cleanupClients.ecs.send(
      new StopTaskCommand({
        cluster: ctx.config.cluster,
        task: taskArn,
        reason: `preview-env: hook ${why}`,
      }),
    );
  } catch (error) {
    ctx.log.warn?.(`could not stop hook task ${taskArn}: ${awsErrorInfo(error).message}`);
  }
}

/**
 * The last lines of the container's log, when it logs with `awslogs` (stream
 * `<prefix>/<container>/<task id>`); undefined when it does not or the log cannot be read.
 */
async function lastLogLines(
  ctx: OperationContext,
  containers: readonly ContainerDefinition[],
  container: string,
  taskArn: string,
): Promise<string[] | undefined> {
  const logConfig = containers.find((c) => c.name === container)?.logConfiguration;
  const group = logConfig?.options?.['awslogs-group'];
  const prefix = logConfig?.options?.['awslogs-stream-prefix'];
  if (logConfig?.logDriver !== 'awslogs' || !group || !prefix) return undefined;
  const taskId = taskArn.split('/').pop() ?? '';
  try {
    const out = await ctx.clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: `${prefix}/${container}/${taskId}`,
        limit: LOG_LINES,
        startFromHead: false,
      }),
    );
    return (out.events ?? []).map((e) => e.message ?? '').slice(-LOG_LINES);
  } catch (error) {
    ctx.log.warn?.(`could not read the hook's log (${group}): ${awsErrorInfo(error).message}`);
    return undefined;
  }
}
