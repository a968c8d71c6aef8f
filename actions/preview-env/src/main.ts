import { isBerthError, mapLimit, quoteInput, safeLine } from '@berth/internal';
import { annotate, appendSummary, setOutput } from '@berth/internal/github-actions';
import { deactivateDeployments, finishDeployment, startDeployment } from './deployments.ts';
import { PreviewEnvActionError } from './errors.ts';
import { type EventContext, environmentInputName, planRun, readEvent } from './event.ts';
import { GitHubApi } from './github-api.ts';
import { type ActionInputs, readInputs } from './inputs.ts';
import { renderComment, upsertComment } from './pr-comment.ts';
import { type PreviewOps, previewOps } from './preview.ts';
import { addReaction, type Reaction } from './reactions.ts';
import {
  createdSummary,
  deletedSummary,
  failedSummary,
  listSummary,
  stateSummary,
} from './summary.ts';

/** What {@link run} can be given instead of the real process, for tests. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** The AWS side (default: `@berth/preview-env` with the `config` input). */
  ops?: PreviewOps;
  fetch?: typeof fetch;
  now?: () => Date;
}

interface Context {
  env: NodeJS.ProcessEnv;
  inputs: ActionInputs;
  event: EventContext;
  ops: PreviewOps;
  github: GitHubApi | undefined;
  now: () => Date;
  log: (line: string) => void;
  warn: (what: string, error: unknown) => void;
  error: (message: string) => void;
  /** GitHub problems so far, repeated in the job summary. */
  notes: string[];
  output: (name: string, value: string) => void;
}

/** An image reference as ECS takes it: one token, no blanks or control characters. */
const IMAGE = /^[^\s\p{Cc}]{1,255}$/u;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The action: reads inputs and the event, creates, updates, deletes, sweeps or lists preview
 * environments through `@berth/preview-env`, and mirrors the result on GitHub (deployment,
 * pull request comment, job summary). AWS decides the outcome: GitHub API problems are
 * warnings that never stop or undo the AWS side. Resolves to the process exit code.
 */
export async function run(options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const write = (text: string) => process.stdout.write(text);
  const notes: string[] = [];
  const ctx: Omit<Context, 'inputs' | 'event' | 'ops' | 'github'> = {
    env,
    now: options.now ?? (() => new Date()),
    notes,
    // Everything logged may hold input, event or AWS text: one line, no workflow command.
    log: (line) => write(`${safeLine(line)}\n`),
    warn: (what, error) => {
      const message = `${what}: ${errorText(error)}`;
      notes.push(`⚠️ ${message}`);
      annotate('warning', message);
    },
    error: (message) => annotate('error', message),
    output: (name, value) => setOutput(name, value, env),
  };
  let inputs: ActionInputs;
  let event: EventContext;
  let ops: PreviewOps;
  // A cancelled job gets SIGINT, then SIGTERM, then SIGKILL a few seconds later. Dying at
  // the first signal could stop a create between two AWS calls; finishing the operation
  // lets it complete or roll back within that grace time.
  const onSignal = (signal: NodeJS.Signals) =>
    annotate(
      'warning',
      `${signal}: the job is being cancelled; finishing the AWS operation in progress so nothing is left half-made`,
    );
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    inputs = readInputs(env);
    event = readEvent(env);
    const plan = planRun(inputs.mode, event);
    if (plan.kind === 'skip') {
      if (event.comment) ctx.log(`preview-env: ${plan.reason}`);
      annotate('notice', plan.reason);
      ctx.output('operation', 'skipped');
      appendSummary(`### Preview environment: skipped\n\n${plan.reason}\n`, env);
      return 0;
    }
    ops =
      options.ops ??
      previewOps({ configFile: inputs.config, env, cwd: env.GITHUB_WORKSPACE || process.cwd() });
    const github = githubClient(inputs, event, env, options.fetch, ctx);
    const full: Context = { ...ctx, inputs, event, ops, github };
    if (plan.command) return await commentCommand(full, plan.command);
    switch (plan.kind) {
      case 'create':
        return await create(full);
      case 'delete':
        return await remove(full);
      case 'sleep':
        return await sleep(full);
      case 'wake':
        return await wake(full);
      case 'sweep':
        return await sweep(full);
      default:
        return await list(full);
    }
  } catch (error) {
    ctx.error(errorText(error));
    return isBerthError(error) ? error.exitCode : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function githubClient(
  inputs: ActionInputs,
  event: EventContext,
  env: NodeJS.ProcessEnv,
  fetchImpl: typeof fetch | undefined,
  ctx: Pick<Context, 'log'>,
): GitHubApi | undefined {
  if (!inputs.githubToken || !event.repository) {
    ctx.log('github-token is empty: no deployment, pull request comment or closed-PR check');
    return undefined;
  }
  return new GitHubApi({
    token: inputs.githubToken,
    repository: event.repository,
    ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** Runs a GitHub side effect; a failure becomes a warning and `undefined`. */
async function onGitHub<T>(
  ctx: Context,
  what: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    ctx.warn(`GitHub: could not ${what}`, error);
    return undefined;
  }
}

async function create(ctx: Context): Promise<number> {
  const { inputs, event, github } = ctx;
  if (!inputs.image) {
    throw new PreviewEnvActionError(
      'E_INPUT',
      'input "image" is required to create an environment (the image URI to deploy)',
    );
  }
  if (!IMAGE.test(inputs.image)) {
    // Checked before anything is logged, deployed or recorded: the value is the caller's.
    throw new PreviewEnvActionError(
      'E_INPUT',
      `input "image" is not an image reference: ${quoteInput(inputs.image)}; pass <registry>/<repository>:<tag> (one line, no spaces, up to 255 characters)`,
    );
  }
  const resolved = ctx.ops.resolve(environmentInputName(inputs.name, event));
  // Outside a pull request event (workflow_dispatch with name: 42, after reviewing a fork's
  // code) the environment still belongs to that pull request, and so does the comment.
  const pr = event.pullRequest?.number ?? resolved.pr;
  ctx.output('name', resolved.name);
  ctx.log(`preview-env: creating or updating ${resolved.name} with ${inputs.image}`);
  const deploymentId =
    github && inputs.deployment && event.sha
      ? await onGitHub(ctx, 'create the deployment', () =>
          startDeployment(github, {
            name: resolved.name,
            ref: event.sha,
            runUrl: event.runUrl,
            image: inputs.image,
          }),
        )
      : undefined;
  let created: Awaited<ReturnType<PreviewOps['create']>>;
  try {
    created = await ctx.ops.create(resolved.name, {
      image: inputs.image,
      env: inputs.env,
      ...(inputs.secretsFrom ? { secretsFrom: inputs.secretsFrom } : {}),
      wait: inputs.wait,
      log: ctx.log,
    });
  } catch (error) {
    const message = errorText(error);
    ctx.error(`preview-env: create ${resolved.name} failed: ${message}`);
    if (github && deploymentId !== undefined) {
      await onGitHub(ctx, 'mark the deployment failed', () =>
        finishDeployment(github, deploymentId, {
          name: resolved.name,
          ok: false,
          url: '',
          runUrl: event.runUrl,
          description: `Failed: ${message}`,
        }),
      );
    }
    if (github && inputs.comment && pr !== undefined) {
      await onGitHub(ctx, 'update the pull request comment', () =>
        upsertComment(
          github,
          pr,
          resolved.name,
          renderComment(resolved.name, {
            status: 'failed',
            image: inputs.image,
            ...(event.sha ? { sha: event.sha } : {}),
            at: ctx.now(),
            runUrl: event.runUrl,
            error: message,
          }),
        ),
      );
    }
    appendSummary(
      failedSummary({
        name: resolved.name,
        operation: 'create',
        error: message,
        github: ctx.notes,
      }),
      ctx.env,
    );
    return isBerthError(error) ? error.exitCode : 1;
  }
  ctx.output('url', created.url);
  ctx.output('service-arn', created.serviceArn);
  ctx.output('task-definition-arn', created.taskDefinitionArn);
  ctx.output('operation', created.created ? 'created' : 'updated');
  if (github && deploymentId !== undefined) {
    await onGitHub(ctx, 'mark the deployment successful', () =>
      finishDeployment(github, deploymentId, {
        name: created.name,
        ok: true,
        url: created.url,
        runUrl: event.runUrl,
        description: `Deployed ${created.image}`,
      }),
    );
  }
  if (github && inputs.comment && pr !== undefined) {
    await onGitHub(ctx, 'create or update the pull request comment', () =>
      upsertComment(
        github,
        pr,
        created.name,
        renderComment(created.name, {
          // Without wait the tasks are still starting: the comment says so.
          status: inputs.wait ? 'running' : 'deploying',
          url: created.url,
          image: created.image,
          ...(event.sha ? { sha: event.sha } : {}),
          at: ctx.now(),
          runUrl: event.runUrl,
        }),
      ),
    );
  }
  appendSummary(
    createdSummary({
      name: created.name,
      url: created.url,
      image: created.image,
      created: created.created,
      serviceArn: created.serviceArn,
      taskDefinitionArn: created.taskDefinitionArn,
      at: ctx.now(),
      github: ctx.notes,
    }),
    ctx.env,
  );
  return 0;
}

/** Marks an environment gone on GitHub: deployments inactive, the comment says so. */
async function announceDeleted(
  ctx: Context,
  name: string,
  pr: number | undefined,
  reason: string,
): Promise<void> {
  const { github, inputs } = ctx;
  if (!github) return;
  if (inputs.deployment) {
    await onGitHub(ctx, `mark the deployments of ${name} inactive`, () =>
      deactivateDeployments(github, name, {
        description: `Preview environment deleted: ${reason}`,
      }),
    );
  }
  if (inputs.comment && pr !== undefined) {
    await onGitHub(ctx, 'update the pull request comment', () =>
      upsertComment(
        github,
        pr,
        name,
        renderComment(name, { status: 'deleted', at: ctx.now(), runUrl: ctx.event.runUrl, reason }),
        { onlyUpdate: true },
      ),
    );
  }
}

async function remove(ctx: Context, by?: string): Promise<number> {
  const { inputs, event } = ctx;
  const resolved = ctx.ops.resolve(environmentInputName(inputs.name, event));
  ctx.output('name', resolved.name);
  ctx.log(`preview-env: deleting ${resolved.name}`);
  let existed: boolean;
  let removed: string[];
  try {
    ({ existed, removed } = await ctx.ops.delete(resolved.name, { log: ctx.log }));
  } catch (error) {
    const message = errorText(error);
    ctx.error(`preview-env: delete ${resolved.name} failed: ${message}`);
    appendSummary(
      failedSummary({ name: resolved.name, operation: 'delete', error: message, github: [] }),
      ctx.env,
    );
    return isBerthError(error) ? error.exitCode : 1;
  }
  ctx.output('operation', 'deleted');
  if (!existed) ctx.log(`preview-env: ${resolved.name} was already gone`);
  const pr = event.pullRequest?.number ?? resolved.pr;
  const reason = by
    ? `deleted by ${by}`
    : event.name.startsWith('pull_request') && event.action === 'closed'
      ? `pull request #${pr} was closed`
      : 'deleted on request';
  await announceDeleted(ctx, resolved.name, pr, reason);
  appendSummary(
    deletedSummary({ name: resolved.name, existed, removed, at: ctx.now(), github: ctx.notes }),
    ctx.env,
  );
  return 0;
}

interface PullState {
  state?: string;
  merged?: boolean;
}

async function sweep(ctx: Context): Promise<number> {
  const { github } = ctx;
  const environments = await ctx.ops.list();
  const removed: { name: string; pr?: number; reason: string }[] = [];
  let failed = 0;
  if (github) {
    const withPr = environments.filter((e) => e.pr !== undefined);
    const states = await mapLimit(withPr, 4, async (e) =>
      onGitHub(ctx, `read pull request #${e.pr} (its environment ${e.name} is kept)`, () =>
        github.request<PullState>('GET', `/pulls/${e.pr}`),
      ),
    );
    for (const [i, e] of withPr.entries()) {
      const pull = states[i];
      if (pull?.state !== 'closed') continue;
      try {
        await ctx.ops.delete(e.name, { log: ctx.log });
        removed.push({
          name: e.name,
          pr: e.pr as number,
          reason: `pull request #${e.pr} is ${pull.merged ? 'merged' : 'closed'}`,
        });
      } catch (error) {
        failed++;
        ctx.error(
          `preview-env: delete ${e.name} (pull request #${e.pr} closed) failed: ${errorText(error)}`,
        );
      }
    }
  } else {
    ctx.log(
      'preview-env: no github-token, so environments of closed pull requests are not looked for',
    );
  }
  try {
    const stale = await ctx.ops.sweep({ log: ctx.log });
    removed.push(...stale.removed);
    for (const e of stale.slept) {
      ctx.log(`preview-env: put ${e.name} to sleep (${e.reason})`);
      await updateComment(ctx, e.pr, e.name, {
        status: 'asleep',
        url: e.url,
        at: ctx.now(),
        runUrl: ctx.event.runUrl,
        note: `Put to sleep by the scheduled sweep: ${e.reason}.`,
      });
    }
    for (const f of stale.failed) {
      failed++;
      ctx.error(`preview-env: sweep failed for ${f.name}: ${f.message}`);
    }
  } catch (error) {
    failed++;
    ctx.error(`preview-env: sweep failed: ${errorText(error)}`);
  }
  for (const r of removed) {
    ctx.log(`preview-env: removed ${r.name} (${r.reason})`);
    await announceDeleted(ctx, r.name, r.pr, r.reason);
  }
  const gone = new Set(removed.map((r) => r.name));
  ctx.output('operation', 'swept');
  ctx.output('environments', JSON.stringify(removed.map((r) => r.name)));
  appendSummary(
    listSummary({
      title: `Preview environments swept: ${removed.length} removed`,
      environments: environments.filter((e) => !gone.has(e.name)),
      removed,
      github: ctx.notes,
    }),
    ctx.env,
  );
  return failed === 0 ? 0 : 1;
}

async function list(ctx: Context): Promise<number> {
  const environments = await ctx.ops.list();
  for (const e of environments) {
    ctx.log(`${e.name}\t${e.url}\t${e.image}\t${e.deployedAt?.toISOString() ?? ''}\t${e.status}`);
  }
  ctx.output('operation', 'listed');
  ctx.output('environments', JSON.stringify(environments.map((e) => e.name)));
  appendSummary(
    listSummary({ title: `Preview environments: ${environments.length}`, environments }),
    ctx.env,
  );
  return 0;
}

/** The pull request of the environment: the event's, else the one its name came from. */
function pullRequestOf(ctx: Context, resolved: { pr?: number }): number | undefined {
  return ctx.event.pullRequest?.number ?? resolved.pr;
}

async function updateComment(
  ctx: Context,
  pr: number | undefined,
  name: string,
  state: Parameters<typeof renderComment>[1],
): Promise<void> {
  const { github, inputs } = ctx;
  if (!github || !inputs.comment || pr === undefined) return;
  await onGitHub(ctx, 'update the pull request comment', () =>
    upsertComment(github, pr, name, renderComment(name, state)),
  );
}

/** `mode: sleep` (or `/preview sleep`): scales the environment to zero behind the asleep page. */
async function sleep(ctx: Context, by?: string): Promise<number> {
  const { inputs, event } = ctx;
  const resolved = ctx.ops.resolve(environmentInputName(inputs.name, event));
  ctx.output('name', resolved.name);
  ctx.log(`preview-env: putting ${resolved.name} to sleep`);
  let result: Awaited<ReturnType<PreviewOps['sleep']>>;
  try {
    result = await ctx.ops.sleep(resolved.name, { log: ctx.log });
  } catch (error) {
    return failed(ctx, resolved.name, 'sleep', error);
  }
  ctx.output('operation', 'slept');
  ctx.output('url', result.url);
  if (!result.changed) ctx.log(`preview-env: ${resolved.name} was asleep already`);
  await updateComment(ctx, pullRequestOf(ctx, resolved), resolved.name, {
    status: 'asleep',
    url: result.url,
    at: ctx.now(),
    runUrl: event.runUrl,
    ...(by ? { note: `Put to sleep by ${by}.` } : {}),
  });
  appendSummary(
    stateSummary({
      name: resolved.name,
      title: result.changed ? 'put to sleep' : 'was asleep already',
      url: result.url,
      text: 'Its service runs no tasks; the URL answers a page saying it is asleep and how to wake it.',
      at: ctx.now(),
      github: ctx.notes,
    }),
    ctx.env,
  );
  return 0;
}

/** `mode: wake` (or `/preview wake`): restores the environment's tasks and its rule. */
async function wake(ctx: Context, by?: string): Promise<number> {
  const { inputs, event } = ctx;
  const resolved = ctx.ops.resolve(environmentInputName(inputs.name, event));
  const pr = pullRequestOf(ctx, resolved);
  ctx.output('name', resolved.name);
  ctx.log(`preview-env: waking ${resolved.name}`);
  let result: Awaited<ReturnType<PreviewOps['wake']>>;
  try {
    result = await ctx.ops.wake(resolved.name, { wait: inputs.wait, log: ctx.log });
  } catch (error) {
    // A wake that failed on the way (not a missing environment) is shown on the pull request.
    const shown =
      !isBerthError(error) ||
      !['E_NOT_FOUND', 'E_CONFLICT', 'E_CONFIG', 'E_INPUT', 'E_NAME'].includes(error.code);
    if (shown)
      await updateComment(ctx, pr, resolved.name, {
        status: 'failed',
        at: ctx.now(),
        runUrl: event.runUrl,
        error: errorText(error),
        ...(by ? { note: `Wake asked by ${by}.` } : {}),
      });
    return failed(ctx, resolved.name, 'wake', error);
  }
  ctx.output('operation', 'woken');
  ctx.output('url', result.url);
  if (!result.changed) ctx.log(`preview-env: ${resolved.name} was awake already`);
  await updateComment(ctx, pr, resolved.name, {
    status: result.waited || !result.changed ? 'running' : 'deploying',
    url: result.url,
    at: ctx.now(),
    runUrl: event.runUrl,
    ...(by ? { note: `Woken by ${by}.` } : {}),
  });
  appendSummary(
    stateSummary({
      name: resolved.name,
      title: result.changed ? 'woken' : 'was awake already',
      url: result.url,
      text: result.waited
        ? 'Its service is stable and its targets are healthy.'
        : 'Its tasks are starting; the URL answers once they are healthy.',
      at: ctx.now(),
      github: ctx.notes,
    }),
    ctx.env,
  );
  return 0;
}

/** Reports a failed sleep or wake: error annotation, job summary, exit code. */
function failed(ctx: Context, name: string, operation: string, error: unknown): number {
  const message = errorText(error);
  ctx.error(`preview-env: ${operation} ${name} failed: ${message}`);
  appendSummary(failedSummary({ name, operation, error: message, github: ctx.notes }), ctx.env);
  return isBerthError(error) ? error.exitCode : 1;
}

/**
 * A `/preview` command from a pull request comment: acknowledged with a reaction on the
 * comment (👀), run, then answered with 👍 or 😕; the environment's comment shows the result.
 */
async function commentCommand(ctx: Context, command: 'wake' | 'sleep' | 'delete'): Promise<number> {
  const comment = ctx.event.comment;
  const by = comment?.user ? `@${comment.user} (/preview ${command})` : `/preview ${command}`;
  ctx.log(
    `preview-env: /preview ${command} from ${comment?.user ? `@${comment.user}` : 'a user'} (${comment?.authorAssociation ?? 'unknown'}) on pull request #${comment?.issueNumber}`,
  );
  const react = async (reaction: Reaction) => {
    if (ctx.github && comment) {
      const github = ctx.github;
      await onGitHub(ctx, 'react to the command comment', () =>
        addReaction(github, comment.id, reaction),
      );
    }
  };
  await react('eyes');
  const code =
    command === 'sleep'
      ? await sleep(ctx, by)
      : command === 'wake'
        ? await wake(ctx, by)
        : await remove(ctx, by);
  await react(code === 0 ? '+1' : 'confused');
  return code;
}
