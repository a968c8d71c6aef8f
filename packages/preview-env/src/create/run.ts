import { randomUUID } from 'node:crypto';
import { loadBalancerArnOf } from '../config.ts';
import type { OperationContext } from '../context.ts';
import { PreviewEnvError } from '../errors.ts';
import { type HookReport, hookError, runHook } from '../hooks.ts';
import { checkImage } from '../image.ts';
import { environmentNames } from '../names.ts';
import { Rollback } from '../rollback.ts';
import { type SecretsSource, secretsSource } from '../secrets.ts';
import { stepError } from '../steps.ts';
import { TAG } from '../tags.ts';
import { waitForEnvironment } from '../wait.ts';
import type { CreateContext, CreateRequest } from './context.ts';
import { converge, envTags } from './converge.ts';

/** What to deploy to an environment (options of `PreviewEnv.create`). */
export interface CreateOptions {
  /** Image of the replaced container, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2.3`. */
  image: string;
  /** Variables for this environment (over the configuration's `env` and the reference's). */
  env?: Record<string, string>;
  /** JSON secret whose keys become container secrets (over the configuration's `secretsFrom`). */
  secretsFrom?: string | SecretsSource;
  /** Wait until the service is stable and its targets healthy (`waitTimeout`). */
  wait?: boolean;
}

/** What a create did and where the environment is. */
export interface CreateResult {
  /** Environment name (`pr-123`, `feature-login`). */
  name: string;
  /** Pull request number, when the name came from one. */
  pr?: number;
  /** Where the environment answers. */
  url: string;
  host: string;
  serviceName: string;
  serviceArn: string;
  taskDefinitionArn: string;
  targetGroupArn: string;
  ruleArn: string;
  rulePriority: number;
  /** Route 53 record name, when `hostedZoneId` is set. */
  recordName?: string;
  image: string;
  /**
   * `created`: a new environment; `updated`: an existing one got a new deployment (or rule);
   * `unchanged`: nothing needed to change.
   */
  outcome: 'created' | 'updated' | 'unchanged';
  /** When the environment was first created. */
  createdAt: Date;
  /** When it was last deployed. */
  deployedAt: Date;
  /** True when `wait` was asked and the service became stable and healthy. */
  waited: boolean;
  /** The hooks this call ran (predeploy, postcreate), each with its task and exit code. */
  hooks: HookReport[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function request(options: CreateOptions, configSecrets: string | undefined): CreateRequest {
  checkImage(options.image);
  for (const key of Object.keys(options.env ?? {})) {
    if (!ENV_NAME.test(key)) {
      throw new PreviewEnvError(
        'E_INPUT',
        `--env ${key}: not a valid variable name (letters, digits and _, not starting with a digit)`,
      );
    }
  }
  return {
    image: options.image,
    env: options.env ?? {},
    secretsFrom: secretsSource(options.secretsFrom ?? configSecrets),
    wait: options.wait ?? false,
  };
}

/**
 * Creates or deploys environment `name` with the call's context (see `PreviewEnv.create`).
 * On any failure before the environment is up, what this call made is removed, newest first.
 */
export async function createWith(
  op: OperationContext,
  name: string,
  options: CreateOptions,
): Promise<CreateResult> {
  const names = environmentNames(name, op.config);
  const ctx: CreateContext = {
    ...op,
    names,
    request: request(options, op.config.secretsFrom),
    rollback: new Rollback(),
    createId: randomUUID(),
    now: new Date(op.clock.now()).toISOString(),
    listenerArn: op.config.listenerArn,
    lbArn: loadBalancerArnOf(op.config.listenerArn),
    ruleAdopted: false,
  };
  let done: Awaited<ReturnType<typeof converge>>;
  try {
    done = await converge(ctx);
  } catch (error) {
    throw await undo(ctx, error);
  }
  const result: CreateResult = {
    name: names.name,
    ...(names.pr === undefined ? {} : { pr: names.pr }),
    url: names.url,
    host: names.host,
    serviceName: names.serviceName,
    serviceArn: done.service.serviceArn as string,
    taskDefinitionArn: done.taskDefinitionArn,
    targetGroupArn: done.targetGroupArn,
    ruleArn: done.rule.RuleArn as string,
    rulePriority: Number(done.rule.Priority),
    ...(op.config.hostedZoneId ? { recordName: names.host } : {}),
    image: ctx.request.image,
    outcome: done.outcome,
    createdAt: new Date(done.createdAt),
    deployedAt: new Date(done.deployedAt),
    waited: false,
    hooks: done.hooks,
  };
  const postcreate = ctx.config.hooks?.postcreate;
  if (postcreate && done.outcome === 'created') {
    // After the first create only; a failure leaves the environment (like a failed wait).
    const report = await runHook(ctx, {
      hook: 'postcreate',
      config: postcreate,
      taskDefinitionArn: result.taskDefinitionArn,
      containers: done.containers,
      defaultContainer: done.container,
      placementFrom: done.placementFrom,
      tags: envTags({
        [TAG.prefix]: ctx.config.namePrefix,
        [TAG.name]: names.name,
        ...(names.pr === undefined ? {} : { [TAG.pr]: String(names.pr) }),
      }),
      clientToken: `${ctx.createId}-postcreate`,
    });
    result.hooks.push(report);
    if (!report.ok) {
      const error = hookError(ctx, report, postcreate.timeout);
      error.message += `; the environment stays at ${names.url}: fix the hook and run it by hand, or delete the environment`;
      throw error;
    }
  }
  if (ctx.request.wait) {
    ctx.log.info(`waiting for ${result.serviceName} to be stable and its targets healthy`);
    await waitForEnvironment(
      ctx.clients.ecs,
      ctx.clients.elbv2,
      {
        cluster: ctx.config.cluster,
        serviceName: result.serviceName,
        targetGroupArn: result.targetGroupArn,
        taskDefinitionArn: result.taskDefinitionArn,
        timeoutMs: ctx.config.waitTimeout,
      },
      ctx.clock,
      ctx.log,
    );
    result.waited = true;
  }
  return result;
}

/** Runs the rollback of a failed create; the error says what was (or was not) removed. */
async function undo(ctx: CreateContext, error: unknown): Promise<Error> {
  const failure =
    error instanceof PreviewEnvError ? error : stepError('create', ctx.names.name, error);
  const hadUndo = ctx.rollback.size > 0;
  const leftovers = hadUndo ? await ctx.rollback.run(ctx.log) : [];
  const interrupted = ctx.signal?.aborted ? ctx.signal.reason : undefined;
  if (interrupted instanceof Error) {
    // Stopped by a signal: report the interruption (exit 128+n), and what the cleanup did.
    ctx.log.warn?.(
      leftovers.length
        ? `interrupted; the rollback could not remove ${leftovers.join(', ')}: run "preview-env delete ${ctx.names.name}"`
        : 'interrupted; everything this call created was removed',
    );
    return interrupted;
  }
  if (!hadUndo) return failure;
  if (leftovers.length === 0) {
    failure.message += '; everything this call created was removed';
    return failure;
  }
  return new PreviewEnvError(
    'E_ROLLBACK',
    `${failure.message}; the rollback could not remove ${leftovers.join(', ')}: run "preview-env delete ${ctx.names.name}" to remove them`,
    {
      cause: failure,
      leftovers,
      ...(failure.step ? { step: failure.step } : {}),
      ...(failure.resource ? { resource: failure.resource } : {}),
      ...(failure.awsCode ? { awsCode: failure.awsCode } : {}),
    },
  );
}
