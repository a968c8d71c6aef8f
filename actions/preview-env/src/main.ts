import { isBerthError, mapLimit } from '@berth/internal';
import { annotate, appendSummary, setOutput } from '@berth/internal/github-actions';
import { deactivateDeployments, finishDeployment, startDeployment } from './deployments.ts';
import { PreviewEnvActionError } from './errors.ts';
import { type EventContext, environmentInputName, planRun, readEvent } from './event.ts';
import { GitHubApi } from './github-api.ts';
import { type ActionInputs, readInputs } from './inputs.ts';
import { renderComment, upsertComment } from './pr-comment.ts';
import { type PreviewOps, previewOps } from './preview.ts';
import { createdSummary, deletedSummary, failedSummary, listSummary } from './summary.ts';

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
    log: (line) => write(`${line}\n`),
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
    switch (plan.kind) {
      case 'create':
        return await create(full);
      case 'delete':
        return await remove(full);
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
            sha: event.sha,
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
          status: 'ready',
          url: created.url,
          image: created.image,
          sha: event.sha,
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

async function remove(ctx: Context): Promise<number> {
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
  const reason =
    event.name.startsWith('pull_request') && event.action === 'closed'
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
    for (const f of stale.failed) {
      failed++;
      ctx.error(`preview-env: sweep could not delete ${f.name}: ${f.message}`);
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
