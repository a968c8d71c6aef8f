import { defineCommand, isBerthError } from '@berth/internal';
import { withSession } from '../ecs-client.ts';
import { planRollback } from '../plan.ts';
import { rollback } from '../rollback.ts';
import { describeService } from '../service.ts';
import { shortTaskDefinition } from '../task-definitions.ts';
import { watchDeployment } from '../watch.ts';
import { planLines, rollbackLines, watchLines } from './format.ts';
import { logEvent, SERVICE_OPTIONS, serviceArgs, WAIT_OPTIONS, waitArgs } from './options.ts';
import { statusExitCode } from './rollback-command.ts';

/** `ecs-rollback watch`. */
export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'Watch the deployment in progress; optionally roll back when it fails',
  usage: 'watch --cluster C --service S [--timeout 15m] [--rollback-on-failure] [--json]',
  description: `Watches the deployment in progress, started by any tool, and reports failure within one
poll of ECS showing it (rollout FAILED, circuit breaker, failed tasks, placement failures).
With --rollback-on-failure, a failed or timed-out deployment is rolled back to the previous
good version (a circuit-breaker rollback by ECS itself, or a newer deployment someone else
started meanwhile, is left alone).
A failure is classified into a stable cause with a one-line remedy (printed, and in --json).
A deployment still in progress is rolled back by ECS itself (StopServiceDeployment) when it can.
Exit codes: 0 the deployment succeeded, 1 it failed, was rolled back or timed out, 2 usage,
3 it failed and there was nothing to roll back to.`,
  json: true,
  options: {
    ...SERVICE_OPTIONS,
    ...WAIT_OPTIONS,
    'rollback-on-failure': {
      type: 'boolean',
      description: 'Roll back to the previous version when the deployment fails or times out',
    },
    register: {
      type: 'boolean',
      description:
        'With --rollback-on-failure: register a copy of the previous revision when it is INACTIVE',
    },
    'deregister-failed': {
      type: 'boolean',
      description: 'With --rollback-on-failure: deregister the failed revision once rolled back',
    },
    'skip-image-check': {
      type: 'boolean',
      description: 'With --rollback-on-failure: do not check in ECR that the previous images exist',
    },
  },
  async run({ values, json, print, printJson, log, signal, clock }) {
    const where = serviceArgs(values);
    const wait = waitArgs(values);
    const watched = await watchDeployment({
      ...where,
      ...wait,
      onEvent: logEvent(log),
      signal,
      clock,
    });
    const failed = watched.status === 'failed' || watched.status === 'timeout';
    if (!values['rollback-on-failure'] || !failed) {
      if (watched.status === 'rolled-back' && values['rollback-on-failure']) {
        log.info('ECS already rolled the deployment back; not rolling back again');
      }
      if (json) printJson({ watch: watched });
      else for (const line of watchLines(watched)) print(line);
      return statusExitCode(watched.status);
    }

    if (!json) for (const line of watchLines(watched)) print(line);
    let plan: Awaited<ReturnType<typeof planRollback>>;
    let result: Awaited<ReturnType<typeof rollback>>;
    try {
      // Someone else deployed (or ECS rolled back) while we watched: rolling back "previous"
      // now would undo their deployment, not the failed one.
      const now = (await withSession(where, ({ ecs }) => describeService(ecs, where)))
        .taskDefinition;
      if (now !== watched.taskDefinitionArn) {
        const skipped = `not rolling back: the service now runs ${shortTaskDefinition(now ?? '?')}, not the watched ${shortTaskDefinition(watched.taskDefinitionArn)}`;
        log.warn(skipped);
        if (json) printJson({ watch: watched, rollback: { skipped } });
        return 1;
      }
      plan = await planRollback({
        ...where,
        clock,
        to: 'previous',
        ...(values.register ? { register: true } : {}),
        ...(values['skip-image-check'] ? { skipImageCheck: true } : {}),
      });
      log.info(
        `deployment of ${shortTaskDefinition(watched.taskDefinitionArn)} ${watched.status}: rolling back to the previous version`,
      );
      if (!json) for (const line of planLines(plan)) print(line);
      result = await rollback(plan, {
        ...where,
        ...wait,
        deregisterFailed: Boolean(values['deregister-failed']),
        onEvent: logEvent(log),
        signal,
        clock,
      });
    } catch (error) {
      if (!json) throw error;
      // One JSON document: the watch, and why the rollback could not be done.
      printJson({
        watch: watched,
        rollback: { error: isBerthError(error) ? error.toJSON() : { message: String(error) } },
      });
      log.error(error instanceof Error ? error.message : String(error));
      return isBerthError(error) ? error.exitCode : 1;
    }
    if (json) printJson({ watch: watched, rollback: result });
    else for (const line of rollbackLines(result)) print(line);
    // The deployment that was watched failed, whatever the rollback did.
    return 1;
  },
});
