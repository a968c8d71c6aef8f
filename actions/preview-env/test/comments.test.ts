import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
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
import {
  dispatchEvent,
  issueCommentEvent,
  pullRequestEvent,
  scheduleEvent,
  sha,
} from './events.ts';

const aws = useAws();
const actionDir = resolve(import.meta.dirname, '..');
let gh: FakeGitHub;
let seeded: SeededAccount;
let workspace: string;

beforeAll(async () => {
  seeded = await seedAccount(aws.clientConfig);
  gh = await startGitHubServer();
  workspace = mkdtempSync(join(tmpdir(), 'preview-env-comments-'));
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
const log = (run: ActionRun) => `${run.stdout}\n${run.stderr}`;

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

/** Posts `body` on issue `number` as `login` and returns its event, as GitHub would send it. */
function commented(
  number: number,
  body: string,
  o: { association?: string; onPullRequest?: boolean; login?: string } = {},
) {
  const login = o.login ?? 'octocat';
  const c = gh.addComment(number, body, { login, type: 'User' });
  return { id: c.id, event: issueCommentEvent({ number, commentId: c.id, body, login, ...o }) };
}

/** The environment's comment (the bot's, with the marker). */
const envComment = (number: number) =>
  gh.comments.find(
    (c) => c.issue_number === number && c.body.startsWith('<!-- berth:preview-env name='),
  )?.body ?? '';

async function awsState(name: string) {
  const ecs = new ECSClient(aws.clientConfig);
  const elbv2 = new ElasticLoadBalancingV2Client(aws.clientConfig);
  const [services, rules] = await Promise.all([
    ecs.send(new DescribeServicesCommand({ cluster: seeded.cluster, services: [`pv-${name}`] })),
    elbv2.send(new DescribeRulesCommand({ ListenerArn: seeded.listenerArn })),
  ]);
  const rule = rules.Rules?.find((r) =>
    r.Conditions?.some((c) => c.HostHeaderConfig?.Values?.includes(`${name}.${seeded.domain}`)),
  );
  return {
    desiredCount: services.services?.[0]?.desiredCount,
    actions: (rule?.Actions ?? []).map((a) => a.Type),
    statusCode: rule?.Actions?.find((a) => a.Type === 'fixed-response')?.FixedResponseConfig
      ?.StatusCode,
  };
}

describe('pull request comment commands', () => {
  it('/preview sleep, wake and delete from users with write access; the comment shows the state', async () => {
    const before = await inventory();
    gh.setPull({ number: 81 });
    const opened = await act(pullRequestEvent('opened', { number: 81, headSha: sha(81) }), {
      image: image(81),
    });
    expect(opened.exitCode, log(opened)).toBe(0);
    expect(envComment(81)).toContain('⏳ Deploying');

    const sleepCmd = commented(81, '/preview sleep', { association: 'MEMBER' });
    const slept = await act(sleepCmd.event);
    expect(slept.exitCode, log(slept)).toBe(0);
    expect(slept.outputs).toMatchObject({ name: 'pr-81', operation: 'slept' });
    expect(await awsState('pr-81')).toEqual({
      desiredCount: 0,
      actions: ['fixed-response'],
      statusCode: '503',
    });
    expect(envComment(81)).toContain('💤 Asleep');
    expect(envComment(81)).toContain('Put to sleep by @octocat (/preview sleep)');
    expect(gh.reactionsOn(sleepCmd.id).map((r) => r.content)).toEqual(['eyes', '+1']);
    expect(slept.summary).toContain('put to sleep');

    // Again: nothing changes, still answered.
    const again = await act(commented(81, '/preview sleep').event);
    expect(again.exitCode, log(again)).toBe(0);
    expect(again.stdout).toContain('pr-81 was asleep already');

    const wakeCmd = commented(81, '/preview wake', { association: 'OWNER', login: 'hubot' });
    const woken = await act(wakeCmd.event);
    expect(woken.exitCode, log(woken)).toBe(0);
    expect(woken.outputs).toMatchObject({
      name: 'pr-81',
      operation: 'woken',
      url: `https://pr-81.${seeded.domain}`,
    });
    expect(await awsState('pr-81')).toEqual({
      desiredCount: 1,
      actions: ['forward'],
      statusCode: undefined,
    });
    expect(envComment(81)).toContain('⏳ Deploying');
    expect(envComment(81)).toContain('Woken by @hubot (/preview wake)');
    expect(gh.reactionsOn(wakeCmd.id).map((r) => r.content)).toEqual(['eyes', '+1']);

    const deleteCmd = commented(81, '/preview delete', { association: 'COLLABORATOR' });
    const deleted = await act(deleteCmd.event);
    expect(deleted.exitCode, log(deleted)).toBe(0);
    expect(deleted.outputs).toMatchObject({ name: 'pr-81', operation: 'deleted' });
    expect(envComment(81)).toContain('🗑️ Deleted');
    expect(envComment(81)).toContain('deleted by @octocat (/preview delete)');
    expect(gh.deploymentsOf('preview/pr-81').at(-1)?.statuses.at(-1)?.state).toBe('inactive');
    expect(await inventory()).toEqual(before);
  }, 240_000);

  it('does nothing for a user without write access, saying so in the log', async () => {
    gh.setPull({ number: 82 });
    const opened = await act(pullRequestEvent('opened', { number: 82, headSha: sha(82) }), {
      image: image(82),
    });
    expect(opened.exitCode, log(opened)).toBe(0);
    const comment = envComment(82);
    const calls = aws.proxy.stats().total;
    const requests = gh.requests.length;

    const cmd = commented(82, '/preview delete', { association: 'CONTRIBUTOR', login: 'mallory' });
    const run = await act(cmd.event);
    expect(run.exitCode, log(run)).toBe(0);
    expect(run.outputs.operation).toBe('skipped');
    expect(run.stdout).toContain(
      'preview-env: /preview delete from @mallory (author association CONTRIBUTOR) ignored: only users with write access (OWNER, MEMBER, COLLABORATOR) may run /preview commands; no action',
    );
    expect(aws.proxy.stats().total).toBe(calls);
    expect(gh.requests.length).toBe(requests);
    expect(gh.reactionsOn(cmd.id)).toEqual([]);
    expect(envComment(82)).toBe(comment);
    expect((await awsState('pr-82')).actions).toEqual(['forward']);

    const closed = await act(pullRequestEvent('closed', { number: 82, headSha: sha(82) }));
    expect(closed.exitCode, log(closed)).toBe(0);
  }, 180_000);

  it('does nothing for a command on an issue that is not a pull request', async () => {
    gh.setIssue(83);
    const calls = aws.proxy.stats().total;
    const requests = gh.requests.length;
    const run = await act(commented(83, '/preview wake', { onPullRequest: false }).event);
    expect(run.exitCode, log(run)).toBe(0);
    expect(run.outputs.operation).toBe('skipped');
    expect(run.stdout).toContain(
      'preview-env: /preview wake on issue #83, which is not a pull request: /preview commands work on pull requests only; no action',
    );
    expect(aws.proxy.stats().total).toBe(calls);
    expect(gh.requests.length).toBe(requests);

    const chatter = await act(commented(83, 'thanks, /preview wake later').event);
    expect(chatter.exitCode, log(chatter)).toBe(0);
    expect(chatter.outputs.operation).toBe('skipped');
  }, 60_000);

  it('sleeps and wakes with mode sleep and wake (workflow_dispatch)', async () => {
    const before = await inventory();
    gh.setPull({ number: 84 });
    const created = await act(dispatchEvent(), { mode: 'create', name: '84', image: image(84) });
    expect(created.exitCode, log(created)).toBe(0);
    const slept = await act(dispatchEvent(), { mode: 'sleep', name: '84' });
    expect(slept.exitCode, log(slept)).toBe(0);
    expect(slept.outputs.operation).toBe('slept');
    expect(envComment(84)).toContain('💤 Asleep');
    const woken = await act(dispatchEvent(), { mode: 'wake', name: 'pr-84' });
    expect(woken.exitCode, log(woken)).toBe(0);
    expect(woken.outputs.operation).toBe('woken');
    expect((await awsState('pr-84')).desiredCount).toBe(1);

    const missing = await act(dispatchEvent(), { mode: 'wake', name: '999' });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain(
      '::error::preview-env: wake pr-999 failed: cannot wake pr-999',
    );

    const deleted = await act(dispatchEvent(), { mode: 'delete', name: '84' });
    expect(deleted.exitCode, log(deleted)).toBe(0);
    expect(await inventory()).toEqual(before);
  }, 240_000);

  it('the scheduled sweep puts idle environments to sleep (sleepAfter) and the comment says so', async () => {
    const before = await inventory();
    gh.setPull({ number: 85 });
    const opened = await act(pullRequestEvent('opened', { number: 85, headSha: sha(85) }), {
      image: image(85),
    });
    expect(opened.exitCode, log(opened)).toBe(0);
    // Only a lower bound: the environment must be idle for longer than sleepAfter.
    await new Promise((r) => setTimeout(r, 1500));
    const swept = await act(scheduleEvent(), {}, { PREVIEW_ENV_SLEEP_AFTER: '1s' });
    expect(swept.exitCode, log(swept)).toBe(0);
    expect(swept.stdout).toContain(
      'preview-env: put pr-85 to sleep (not deployed or woken for 1s)',
    );
    expect((await awsState('pr-85')).desiredCount).toBe(0);
    expect(envComment(85)).toContain('💤 Asleep');
    expect(envComment(85)).toContain('Put to sleep by the scheduled sweep');

    const closed = await act(pullRequestEvent('closed', { number: 85, headSha: sha(85) }));
    expect(closed.exitCode, log(closed)).toBe(0);
    expect(await inventory()).toEqual(before);
  }, 180_000);
});
