// Issue 13 items 1 and 4 for sg-ip-window: a write AWS applied whose answer was lost, a call
// that never answers, and a signal during a hung call. Faults come from the test kit's proxy
// (a real emulator behind it); the SDK clients are built as the package builds them.
import { EC2Client, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import { awsClientConfig } from '@berth/internal';
import { fakeClock, useAws } from '@berth/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSecurityGroups } from '../test/security-groups.ts';
import type { SgIpWindowError } from './errors.ts';
import { openWindow } from './open-window.ts';
import { HOLD_TAG_PREFIX } from './tags.ts';

const aws = useAws();
const { newGroup, ingress } = useSecurityGroups(aws, { prefix: 'lost' });

beforeEach(() => {
  aws.proxy.clearFaults();
});

const holders = (rule: SecurityGroupRule | undefined) =>
  (rule?.Tags ?? [])
    .filter((t) => t.Key?.startsWith(HOLD_TAG_PREFIX))
    .map((t) => t.Key?.slice(HOLD_TAG_PREFIX.length))
    .sort();

/** An EC2 client as openWindow builds it, pointed at this file's proxy. */
function client(options: { maxAttempts?: number; timeoutMs?: number } = {}): EC2Client {
  return new EC2Client(
    awsClientConfig({
      endpoint: aws.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      timeoutMs: 20_000,
      ...options,
    }),
  );
}

const clock = () => fakeClock({ start: '2030-01-01T00:00:00Z', mode: 'manual' });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as SgIpWindowError,
  );

describe('a write applied by AWS whose answer was lost', () => {
  it('authorize, no retry: the rule is found by its tags and used', async () => {
    const groupId = await newGroup();
    aws.proxy.fail({
      operation: 'AuthorizeSecurityGroupIngress',
      fault: 'applied-then-reset',
      times: 1,
    });
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'lost-1',
      clients: { ec2: client() },
      clock: clock(),
    });
    const [rule] = await ingress(groupId);
    expect(window.rules).toMatchObject([{ ruleId: rule?.SecurityGroupRuleId, mode: 'created' }]);
    expect((await window.close()).revoked).toHaveLength(1);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('authorize, SDK retry meets the rule it made: the window still opens and closes clean', async () => {
    const groupId = await newGroup();
    aws.proxy.fail({
      operation: 'AuthorizeSecurityGroupIngress',
      fault: 'applied-then-reset',
      times: 1,
    });
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'lost-2',
      clients: { ec2: client({ maxAttempts: 3 }) },
      clock: clock(),
    });
    expect(window.ruleIds).toHaveLength(1);
    await window.close();
    expect(await ingress(groupId)).toEqual([]);
  });

  it('authorize of the second group lost and its lookup failing: the rollback still finds and closes both', async () => {
    const [a, b] = [await newGroup(), await newGroup()];
    // The second authorize is applied without an answer; the lookup right after it fails too.
    aws.proxy.fail({
      operation: 'AuthorizeSecurityGroupIngress',
      nth: 2,
      fault: 'applied-then-reset',
    });
    aws.proxy.fail({
      operation: 'DescribeSecurityGroupRules',
      nth: 1,
      error: { code: 'InternalError', status: 500 },
    });
    const error = await failure(
      openWindow({
        groupIds: [a, b],
        ports: 22,
        ip: '203.0.113.9',
        owner: 'lost-3',
        clients: { ec2: client() },
        clock: clock(),
      }),
    );
    expect(error.code).toBe('E_AWS');
    expect(error.message).toMatch(/AWS may have applied it; nothing was left open$/);
    expect(await ingress(a)).toEqual([]);
    expect(await ingress(b)).toEqual([]);
  });

  it('tagging a joined rule lost: the hold is found and released, the other holder keeps the rule', async () => {
    const groupId = await newGroup();
    const first = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'holder-a',
      clients: { ec2: client() },
      clock: clock(),
    });
    aws.proxy.fail({ operation: 'CreateTags', fault: 'applied-then-reset', times: 1 });
    const error = await failure(
      openWindow({
        groupIds: [groupId],
        ports: 22,
        ip: '203.0.113.9',
        owner: 'holder-b',
        clients: { ec2: client() },
        clock: clock(),
      }),
    );
    expect(error.message).toMatch(
      /could not join rule .* AWS may have applied it; nothing was left open/,
    );
    const [rule] = await ingress(groupId);
    expect(holders(rule)).toEqual(['holder-a']);
    await first.close();
    expect(await ingress(groupId)).toEqual([]);
  });

  it('revoke lost on close: read back, reported revoked (it is gone)', async () => {
    const groupId = await newGroup();
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'lost-4',
      clients: { ec2: client() },
      clock: clock(),
    });
    aws.proxy.fail({
      operation: 'RevokeSecurityGroupIngress',
      fault: 'applied-then-reset',
      times: 1,
    });
    expect((await window.close()).revoked.map((r) => r.ruleId)).toEqual(window.ruleIds);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('releasing a hold lost on close: read back, reported released', async () => {
    const groupId = await newGroup();
    const a = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'rel-a',
      clients: { ec2: client() },
      clock: clock(),
    });
    const b = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'rel-b',
      clients: { ec2: client() },
      clock: clock(),
    });
    aws.proxy.fail({ operation: 'DeleteTags', fault: 'applied-then-reset', times: 1 });
    expect((await b.close()).released).toHaveLength(1);
    expect(holders((await ingress(groupId))[0])).toEqual(['rel-a']);
    await a.close();
    expect(await ingress(groupId)).toEqual([]);
  });
});

describe('a call that never answers', () => {
  it('times out (timeoutMs) instead of hanging, and leaves nothing', async () => {
    const groupId = await newGroup();
    aws.proxy.fail({ operation: 'AuthorizeSecurityGroupIngress', fault: 'no-answer' });
    const error = await failure(
      openWindow({
        groupIds: [groupId],
        ports: 22,
        ip: '203.0.113.9',
        owner: 'hung-1',
        clients: { ec2: client({ timeoutMs: 1500 }) },
        clock: clock(),
      }),
    );
    expect(error.code).toBe('E_AWS');
    expect(error.message).toMatch(
      /AWS did not answer in time.*BERTH_AWS_TIMEOUT.*nothing was left open/,
    );
    expect(await ingress(groupId)).toEqual([]);
  });

  it('a signal during the hung call aborts it and closes what was opened (E_INTERRUPTED)', async () => {
    const [a, b] = [await newGroup(), await newGroup()];
    aws.proxy.fail({ operation: 'AuthorizeSecurityGroupIngress', nth: 2, fault: 'no-answer' });
    const hung = aws.proxy
      .nextCall('AuthorizeSecurityGroupIngress')
      .then(() => aws.proxy.nextCall('AuthorizeSecurityGroupIngress'));
    const controller = new AbortController();
    const opening = failure(
      openWindow({
        groupIds: [a, b],
        ports: 22,
        ip: '203.0.113.9',
        owner: 'sig-1',
        clients: { ec2: client({ timeoutMs: 120_000 }) },
        clock: clock(),
        signal: controller.signal,
      }),
    );
    await hung;
    controller.abort(new Error('interrupted by SIGTERM'));
    const error = await opening;
    expect(error.code).toBe('E_INTERRUPTED');
    expect(error.message).toBe(
      'interrupted by SIGTERM while opening the window; nothing was left open',
    );
    expect(await ingress(a)).toEqual([]);
    expect(await ingress(b)).toEqual([]);
  });

  it('a signal during a hung tag call of a join releases only this hold', async () => {
    const groupId = await newGroup();
    const first = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'join-a',
      clients: { ec2: client() },
      clock: clock(),
    });
    aws.proxy.fail({ operation: 'CreateTags', fault: 'no-answer', times: 1 });
    const hung = aws.proxy.nextCall('CreateTags');
    const controller = new AbortController();
    const opening = failure(
      openWindow({
        groupIds: [groupId],
        ports: 22,
        ip: '203.0.113.9',
        owner: 'join-b',
        clients: { ec2: client() },
        clock: clock(),
        signal: controller.signal,
      }),
    );
    await hung;
    controller.abort(new Error('interrupted by SIGINT'));
    expect((await opening).code).toBe('E_INTERRUPTED');
    expect(holders((await ingress(groupId))[0])).toEqual(['join-a']);
    await first.close();
    expect(await ingress(groupId)).toEqual([]);
  });
});
