import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  planRollback,
  type RollbackPlan,
  type RollbackResult,
  rollback,
  type WatchEvent,
  type WatchResult,
  watchDeployment,
} from '@berth/ecs-rollback';
import { awsClientConfig } from '@berth/internal';
import { annotate, appendSummary, setOutput } from '@berth/internal/github-actions';
import { type ActionInputs, readInputs } from './inputs.ts';
import { notRolledBackSummary, rollbackSummary, watchSummary } from './summary.ts';

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function logEvent(event: WatchEvent): void {
  const prefix =
    event.kind === 'service-event' ? 'ECS: ' : event.kind === 'task-stopped' ? 'task: ' : '';
  log(`${prefix}${event.message}`);
}

function showPlan(plan: RollbackPlan): void {
  const images = (v: RollbackPlan['target']) =>
    v.containers.map((c) => `${c.container}=${c.image}`).join(', ');
  const label = (v: RollbackPlan['target']) =>
    v.taskDefinitionArn ? `${v.family}:${v.revision}` : `${v.family}:(new revision)`;
  log(`service ${plan.service} (cluster ${plan.cluster})`);
  log(`  from  ${label(plan.current)}  ${images(plan.current)}`);
  log(`  to    ${label(plan.target)}  ${images(plan.target)}`);
  log(
    `        ${plan.willRegister ? 'a new revision will be registered' : 'existing revision reused, nothing registered'}`,
  );
  log(`  why   ${plan.reason}`);
  for (const c of plan.imageChecks ?? []) log(`  image ${c.container}: ${c.state}: ${c.detail}`);
  for (const w of plan.warnings ?? []) annotate('warning', w);
}

/** Sets `cause` and `remedy` (empty when there is none). */
function setCause(
  result: { cause?: string | undefined; remedy?: string | undefined },
  env: NodeJS.ProcessEnv,
): void {
  setOutput('cause', result.cause ?? '', env);
  setOutput('remedy', result.remedy ?? '', env);
}

/** The task definition the service is set to run now. */
async function currentTaskDefinition(where: {
  cluster: string;
  service: string;
  region?: string;
}): Promise<string | undefined> {
  const ecs = new ECSClient(awsClientConfig(where));
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: where.cluster, services: [where.service] }),
    );
    return out.services?.[0]?.taskDefinition;
  } finally {
    ecs.destroy();
  }
}

/** Thrown instead of rolling back when the service no longer runs the watched revision. */
class NotRolledBack extends Error {}

async function doRollback(
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
  expectCurrent?: string,
): Promise<RollbackResult> {
  const where = {
    cluster: inputs.cluster,
    service: inputs.service,
    ...(inputs.region ? { region: inputs.region } : {}),
  };
  let plan: RollbackPlan;
  try {
    if (expectCurrent !== undefined) {
      // Someone else deployed (or ECS rolled back) while we watched: rolling back "previous"
      // now would undo their deployment, not the failed one.
      const now = await currentTaskDefinition(where);
      if (now !== expectCurrent) {
        throw new NotRolledBack(
          `the service now runs ${now ?? 'nothing'}, not the watched ${expectCurrent}`,
        );
      }
    }
    plan = await planRollback({
      ...where,
      ...(inputs.to ? { to: inputs.to } : {}),
      ...(inputs.container ? { container: inputs.container } : {}),
      ...(inputs.searchLimit ? { searchLimit: inputs.searchLimit } : {}),
      register: inputs.register,
      skipImageCheck: inputs.skipImageCheck,
      allowOtherFamily: inputs.allowOtherFamily,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    appendSummary(
      notRolledBackSummary(inputs.service, inputs.cluster, message, error instanceof NotRolledBack),
      env,
    );
    throw error;
  }
  showPlan(plan);
  setOutput('from-task-definition-arn', plan.current.taskDefinitionArn, env);
  try {
    const result = await rollback(plan, {
      ...where,
      wait: !inputs.noWait,
      timeoutMs: inputs.timeoutMs,
      ...(inputs.pollMs ? { pollMs: inputs.pollMs } : {}),
      ...(inputs.failedTaskThreshold ? { failedTaskThreshold: inputs.failedTaskThreshold } : {}),
      deregisterFailed: inputs.deregisterFailed,
      dryRun: inputs.dryRun,
      onEvent: logEvent,
    });
    appendSummary(rollbackSummary(plan, result), env);
    return result;
  } catch (error) {
    appendSummary(
      rollbackSummary(plan, undefined, error instanceof Error ? error.message : String(error)),
      env,
    );
    throw error;
  }
}

function ok(status: string): boolean {
  return status === 'succeeded' || status === 'started' || status === 'dry-run';
}

/**
 * The action: `mode: rollback` plans and rolls back (showing from -> to first); `mode: watch`
 * watches the deployment in progress and, with `rollback-on-failure`, rolls back when it
 * fails or times out. Sets the outputs `task-definition-arn`, `status`, `reason` and writes
 * a job summary table. Resolves to the exit code: 1 when the deployment or rollback did not
 * succeed, or on any error (one `::error::` annotation).
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const inputs = readInputs(env);
    if (inputs.mode === 'rollback') {
      const result = await doRollback(inputs, env);
      setOutput('task-definition-arn', result.taskDefinitionArn ?? '', env);
      setOutput('status', result.status, env);
      setOutput('reason', result.reason, env);
      setOutput('registered', String(result.registered), env);
      setOutput('method', result.method ?? '', env);
      setCause(result, env);
      log(result.reason);
      if (result.methodReason) log(`via ${result.method}: ${result.methodReason}`);
      for (const w of result.warnings) {
        if (!(result.plan.warnings ?? []).includes(w)) annotate('warning', w);
      }
      if (!ok(result.status)) {
        annotate(
          'error',
          `${result.reason}${result.cause ? ` [cause: ${result.cause}: ${result.remedy}]` : ''}`,
        );
        return 1;
      }
      return 0;
    }

    const watched: WatchResult = await watchDeployment({
      cluster: inputs.cluster,
      service: inputs.service,
      ...(inputs.region ? { region: inputs.region } : {}),
      timeoutMs: inputs.timeoutMs,
      ...(inputs.pollMs ? { pollMs: inputs.pollMs } : {}),
      ...(inputs.failedTaskThreshold ? { failedTaskThreshold: inputs.failedTaskThreshold } : {}),
      onEvent: logEvent,
    });
    appendSummary(watchSummary(inputs.service, inputs.cluster, watched), env);
    log(`deployment ${watched.status}: ${watched.reason}`);
    setOutput('status', watched.status, env);
    setOutput('reason', watched.reason, env);
    setOutput('task-definition-arn', watched.rolledBackTo ?? watched.taskDefinitionArn, env);
    setCause(watched, env);
    if (watched.status === 'succeeded') return 0;
    if (watched.cause) log(`cause ${watched.cause}: ${watched.remedy ?? ''}`);
    annotate(
      'error',
      `deployment ${watched.status}: ${watched.reason}${watched.cause ? ` [cause: ${watched.cause}: ${watched.remedy}]` : ''}`,
    );
    if (inputs.rollbackOnFailure && (watched.status === 'failed' || watched.status === 'timeout')) {
      log('rolling back to the previous version');
      try {
        const result = await doRollback(
          { ...inputs, to: 'previous', dryRun: false },
          env,
          watched.taskDefinitionArn,
        );
        setOutput('task-definition-arn', result.taskDefinitionArn ?? '', env);
        setOutput('rollback-status', result.status, env);
        setOutput('method', result.method ?? '', env);
        setOutput(
          'reason',
          `deployment ${watched.status}: ${watched.reason}; ${result.reason}`,
          env,
        );
        log(result.reason);
        if (!ok(result.status)) annotate('error', result.reason);
      } catch (error) {
        // The deployment's own status stays the step's status; the rollback's failure is extra.
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof NotRolledBack) {
          setOutput('rollback-status', 'skipped', env);
          setOutput(
            'reason',
            `deployment ${watched.status}: ${watched.reason}; not rolled back: ${message}`,
            env,
          );
          annotate('warning', `not rolled back: ${message}`);
          return 1;
        }
        setOutput('rollback-status', 'error', env);
        setOutput(
          'reason',
          `deployment ${watched.status}: ${watched.reason}; rollback not done: ${message}`,
          env,
        );
        annotate('error', `rollback not done: ${message}`);
      }
    }
    return 1;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    setOutput('status', 'error', env);
    setOutput('reason', message, env);
    annotate('error', message);
    return 1;
  }
}
