// Step 2: a preview environment for pull request 42 (create, list, update with a new image,
// sleep and wake), plus one for a long branch name that `sweep` removes at the end.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listAccountResources } from '../../../packages/testkit/src/inventory.ts';
import { pushEcrImage, SEED_SECRET_VALUE } from '../../../packages/testkit/src/seed.ts';
import { parseJson } from '../cli.ts';
import { type DemoContext, type Step, seeded } from '../context.ts';

export const previewStep: Step = {
  title: 'Preview environment for pull request 42: create, list, update',
  tools: ['semver-timestamp', 'preview-env'],
  async run(ctx) {
    const { out, cli, state } = ctx;
    const s = seeded(ctx);
    out.note('CI builds the PR’s image and tags it with the build time:');
    const first = await cli.run('semver-timestamp', ['--format', 'docker']);
    state.prTags.push(first.stdout.trim());
    await pushImage(ctx, 0);

    await cli.run('preview-env', [
      'create',
      '42',
      '--image',
      imageOf(ctx, 0),
      '--env',
      'FEATURE_FLAGS=new-checkout',
    ]);
    const afterCreate = await prService(ctx);
    state.prService = afterCreate.name;
    state.prTaskDefinitions.push(afterCreate.taskDefinition);
    out.ok(`service ${afterCreate.name} runs ${shortArn(afterCreate.taskDefinition)}`);

    out.note(
      'Branch names work too; a name past an AWS limit (target group: 32 characters) gets a stable hash:',
    );
    await cli.run('preview-env', ['create', state.branchEnvironment, '--image', imageOf(ctx, 0)]);
    state.branchDeployedAt = Date.now();
    const groups = await listAccountResources(ctx.aws, {
      cluster: s.cluster,
      listenerArn: s.listenerArn,
      hostedZoneId: s.hostedZoneId,
    });
    for (const tg of groups.targetGroups) {
      if (tg.arn !== s.targetGroupArn && !tg.name.endsWith('pr-42')) {
        out.ok(`its target group is ${tg.name} (${tg.name.length} characters)`);
      }
    }

    await cli.run('preview-env', ['ls']);

    out.note('A new push to the PR: a new image, the same environment updated in place.');
    const second = await cli.run('semver-timestamp', [
      '--format',
      'docker',
      '--after',
      state.prTags[0] as string,
    ]);
    state.prTags.push(second.stdout.trim());
    await pushImage(ctx, 1);
    await cli.run('preview-env', ['create', '42', '--image', imageOf(ctx, 1)]);
    const afterUpdate = await prService(ctx);
    if (afterUpdate.name !== state.prService) {
      throw new Error(
        `the update made a second service (${afterUpdate.name}) instead of updating ${state.prService}`,
      );
    }
    if (afterUpdate.taskDefinition === afterCreate.taskDefinition) {
      throw new Error('the update did not register a task definition revision for the new image');
    }
    state.prTaskDefinitions.push(afterUpdate.taskDefinition);
    out.ok(
      `updated in place: ${afterUpdate.name} now runs ${shortArn(afterUpdate.taskDefinition)}`,
    );
    out.ok(`served at https://pr-42.${s.domain} through the shared ALB ${s.loadBalancerDnsName}`);

    out.note(
      'Nobody looks at it overnight: put it to sleep (no tasks; its URL answers an "asleep" page).',
    );
    await cli.run('preview-env', ['sleep', '42']);
    const asleep = await prListing(ctx);
    if (asleep.status !== 'asleep' || asleep.desiredCount !== 0) {
      throw new Error(
        `after sleep, pr-42 is ${asleep.status} with ${asleep.desiredCount} tasks wanted (expected asleep, 0)`,
      );
    }
    const page = await asleepRule(ctx);
    out.ok(`pr-42 runs 0 tasks; its rule answers ${page}`);
    await cli.run('preview-env', ['ls']);

    out.note('A reviewer comments "/preview wake" on the pull request (the action runs this):');
    await cli.run('preview-env', ['wake', '42']);
    const awake = await prListing(ctx);
    if (awake.status === 'asleep' || awake.desiredCount !== 1) {
      throw new Error(
        `after wake, pr-42 is ${awake.status} with ${awake.desiredCount} tasks wanted (expected 1)`,
      );
    }
    out.ok(`awake again: ${awake.desiredCount} task wanted, the rule forwards to its target group`);

    await protectedPreview(ctx);
  },
};

/** Pushes the PR's n-th image to its ECR repository, as the PR's build does. */
async function pushImage(ctx: DemoContext, n: number): Promise<void> {
  const digest = await pushEcrImage(ctx.aws, imageOf(ctx, n));
  ctx.out.ok(`pushed ${imageOf(ctx, n)} to ECR (${digest?.slice(0, 19) ?? 'not ECR'}…)`);
}

/** What `preview-env create --json` says about the hooks it ran. */
interface CreateJson {
  outcome: string;
  hooks: { hook: string; taskArn: string; ok: boolean; exitCode?: number }[];
}

/**
 * A protected preview: the same configuration plus `access` (sign in with OIDC before the
 * preview; the client secret comes from Secrets Manager and goes only to ELB) and a
 * `predeploy` hook (a one-off task of the new revision, e.g. migrations, that must exit 0
 * before the service runs that revision).
 */
async function protectedPreview(ctx: DemoContext): Promise<void> {
  const { out, cli } = ctx;
  const s = seeded(ctx);
  const base = await readFile(join(ctx.workDir, 'preview-env.yml'), 'utf8');
  const extra = [
    'access:',
    '  oidc:',
    '    issuer: https://login.example.com',
    '    authorizationEndpoint: https://login.example.com/authorize',
    '    tokenEndpoint: https://login.example.com/token',
    '    userInfoEndpoint: https://login.example.com/userinfo',
    '    clientId: preview-apps',
    `    clientSecretFrom: ${s.secretName}:API_KEY`,
    'hooks:',
    '  predeploy: { command: [npm, run, migrate], timeout: 10m }',
    '',
  ].join('\n');
  await writeFile(join(ctx.workDir, 'protected.yml'), `${base}${extra}`);
  out.note(
    'A protected preview: visitors sign in (OIDC) before they reach it, and migrations run before it serves:',
  );
  out.block(extra, true);
  const created = await cli.run(
    'preview-env',
    ['create', '43', '--image', imageOf(ctx, 1), '--config', 'protected.yml', '--json'],
    { hideStdout: true },
  );
  if (created.stdout.includes(secretValue(ctx)) || created.stderr.includes(secretValue(ctx))) {
    throw new Error('the OIDC client secret was printed');
  }
  const result = parseJson<CreateJson>('preview-env', created);
  const hook = result.hooks.find((h) => h.hook === 'predeploy');
  if (!hook?.ok || hook.exitCode !== 0) {
    throw new Error(`the predeploy hook did not succeed: ${JSON.stringify(result.hooks)}`);
  }
  // preview-env logs the hook as it starts it, and "created" once the service exists.
  const hookAt = created.stderr.indexOf('running the predeploy hook');
  const createdAt = created.stderr.indexOf('created pr-43');
  if (hookAt < 0 || createdAt < hookAt) {
    throw new Error('the predeploy hook did not run before the service was created');
  }
  out.ok(
    `predeploy hook: task ${hook.taskArn.split('/').pop()} ran \`npm run migrate\` and exited ${hook.exitCode}, before the service was created (outcome: ${result.outcome})`,
  );
  const inventory = await listAccountResources(ctx.aws, {
    cluster: s.cluster,
    listenerArn: s.listenerArn,
    hostedZoneId: s.hostedZoneId,
  });
  if (!inventory.rules.some((r) => r.hosts.includes(`pr-43.${s.domain}`))) {
    throw new Error('pr-43 has no listener rule');
  }
  out.ok('pr-43 asks visitors to sign in first; the client secret was never printed');
  await cli.run('preview-env', ['delete', '43', '--config', 'protected.yml']);
}

/** The seeded secret's API_KEY value, which must never show up in output. */
function secretValue(_ctx: DemoContext): string {
  return SEED_SECRET_VALUE.API_KEY;
}

/** pr-42 as `preview-env ls --json` shows it. */
async function prListing(ctx: DemoContext): Promise<{ status: string; desiredCount?: number }> {
  const listed = await ctx.cli.run('preview-env', ['ls', '--json'], { quiet: true });
  const envs = JSON.parse(listed.stdout) as {
    name: string;
    status: string;
    desiredCount?: number;
  }[];
  const env = envs.find((e) => e.name === 'pr-42');
  if (!env) throw new Error('preview-env ls does not list pr-42');
  return env;
}

/** What pr-42's listener rule answers while asleep, read from the emulator. */
async function asleepRule(ctx: DemoContext): Promise<string> {
  const s = seeded(ctx);
  const inventory = await listAccountResources(ctx.aws, {
    cluster: s.cluster,
    listenerArn: s.listenerArn,
    hostedZoneId: s.hostedZoneId,
  });
  const rule = inventory.rules.find((r) => r.hosts.includes(`pr-42.${s.domain}`));
  if (!rule) throw new Error('pr-42 has no listener rule while asleep');
  if (rule.targetGroupArns.length > 0) {
    throw new Error('pr-42 is asleep but its rule still forwards to a target group');
  }
  return 'HTTP 503 with a page saying it is asleep and how to wake it';
}

/** `<repository>:<tag>` of the PR's n-th push. */
export function imageOf(ctx: DemoContext, n: number): string {
  return `${ctx.state.repository}:${ctx.state.prTags[n]}`;
}

/** The ECS service of the PR 42 environment, read from the emulator. */
async function prService(ctx: DemoContext): Promise<{ name: string; taskDefinition: string }> {
  const s = seeded(ctx);
  const inventory = await listAccountResources(ctx.aws, {
    cluster: s.cluster,
    listenerArn: s.listenerArn,
    hostedZoneId: s.hostedZoneId,
  });
  const service = inventory.services.find((svc) => /(^|-)pr-42$/.test(svc.name));
  if (!service) {
    const names = inventory.services.map((svc) => svc.name).join(', ');
    throw new Error(
      `no ACTIVE service for pull request 42 in cluster ${s.cluster} (found: ${names})`,
    );
  }
  return service;
}

/** `family:revision` of a task definition ARN. */
export function shortArn(taskDefinitionArn: string): string {
  return taskDefinitionArn.split('/').pop() ?? taskDefinitionArn;
}
