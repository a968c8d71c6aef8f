import {
  AuthorizeSecurityGroupIngressCommand,
  CreateTagsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { Clock } from '@berth/internal';
import { fakeClock, startHttpServer, useAws } from '@berth/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSecurityGroups } from '../test/security-groups.ts';
import { closeRules } from './close-rules.ts';
import { SgIpWindowError } from './errors.ts';
import { httpIpSource } from './ip-sources.ts';
import { openWindow } from './open-window.ts';
import { sweep } from './sweep.ts';
import { EXPIRES_TAG, HOLD_TAG_PREFIX, OWNER_TAG } from './tags.ts';
import { withWindow } from './with-window.ts';

const aws = useAws();
// A plain client: the code under test gets it too, so an injected fault is seen once.
const sg = useSecurityGroups(aws, { prefix: 'bastion', client: (config) => new EC2Client(config) });
const { newGroup, ingress } = sg;

beforeEach(() => {
  aws.proxy.clearFaults();
});

function tagMap(rule: SecurityGroupRule | undefined): Record<string, string> {
  return Object.fromEntries((rule?.Tags ?? []).map((t) => [t.Key, t.Value]));
}

const T0 = Date.parse('2030-01-01T00:00:00Z');
/** A clock standing still at `now` (sleeps wait until advanced, which these tests never do). */
function fixedClock(now: number): Clock {
  return fakeClock({ start: now, mode: 'manual' });
}

const base = { clients: () => ({ ec2: sg.ec2 }) };

describe('openWindow / close', () => {
  it('opens exactly the host with tags and a readable description, and close revokes it', async () => {
    const groupId = await newGroup();
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.9',
      ttl: '15m',
      owner: 'run-42',
      clients: base.clients(),
      clock: fixedClock(T0),
    });
    expect(window).toMatchObject({
      ip: '203.0.113.9',
      cidr: '203.0.113.9/32',
      owner: 'run-42',
      expiresAt: new Date('2030-01-01T00:15:00.000Z'),
    });
    expect(window.ruleIds).toHaveLength(1);
    const [rule] = await ingress(groupId);
    expect(rule).toMatchObject({
      SecurityGroupRuleId: window.ruleIds[0],
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIpv4: '203.0.113.9/32',
      Description: 'sg-ip-window: run-42 until 2030-01-01T00:15:00.000Z',
    });
    expect(tagMap(rule)).toEqual({
      [OWNER_TAG]: 'run-42',
      [EXPIRES_TAG]: '2030-01-01T00:15:00.000Z',
      [`${HOLD_TAG_PREFIX}run-42`]: '2030-01-01T00:15:00.000Z',
    });

    const result = await window.close();
    expect(result.revoked).toEqual([{ groupId, ruleId: window.ruleIds[0] }]);
    expect(await ingress(groupId)).toEqual([]);
    // A second close is the same close, not a second round of calls.
    expect(await window.close()).toBe(result);
  });

  it('detects the address through the given sources and reports which one answered', async () => {
    const fixture = await startHttpServer((_req, res) => {
      res.end('52.95.110.1\n');
    });
    try {
      const groupId = await newGroup();
      const window = await openWindow({
        groupIds: [groupId],
        ports: 22,
        owner: 'run-43',
        detect: { sources: [httpIpSource(fixture.url, { name: 'fixture' })] },
        clients: base.clients(),
      });
      expect(window).toMatchObject({
        ip: '52.95.110.1',
        cidr: '52.95.110.1/32',
        source: 'fixture',
      });
      await window.close();
    } finally {
      await fixture.close();
    }
  });

  it('opens IPv6 hosts as /128', async () => {
    const groupId = await newGroup();
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '2600:1F18:0::10',
      owner: 'run-6',
      clients: base.clients(),
    });
    expect(window.cidr).toBe('2600:1f18::10/128');
    const [rule] = await ingress(groupId);
    expect(rule?.CidrIpv6).toBe('2600:1f18::10/128');
    expect(tagMap(rule)[OWNER_TAG]).toBe('run-6');
    await window.close();
    expect(await ingress(groupId)).toEqual([]);
  });

  it('opens every group and port range, udp included', async () => {
    const a = await newGroup();
    const b = await newGroup();
    const window = await openWindow({
      groupIds: [a, b],
      ports: ['60000-61000', 500],
      protocol: 'udp',
      ip: '203.0.113.20',
      owner: 'run-mosh',
      clients: base.clients(),
    });
    expect(window.rules.map((r) => [r.groupId, r.fromPort, r.toPort, r.protocol, r.mode])).toEqual([
      [a, 60000, 61000, 'udp', 'created'],
      [a, 500, 500, 'udp', 'created'],
      [b, 60000, 61000, 'udp', 'created'],
      [b, 500, 500, 'udp', 'created'],
    ]);
    expect(await ingress(a)).toHaveLength(2);
    await window.close();
    expect([...(await ingress(a)), ...(await ingress(b))]).toEqual([]);
  });

  it('treats a rule already gone as closed (InvalidPermission.NotFound)', async () => {
    const groupId = await newGroup();
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.30',
      owner: 'run-nf',
      clients: base.clients(),
    });
    const ruleId = window.ruleIds[0] as string;
    await sg.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId] }),
    );
    const result = await window.close();
    expect(result.alreadyClosed).toEqual([{ groupId, ruleId }]);
    // And the revoke call itself reporting NotFound is also "already closed".
    const again = await closeRules({
      rules: [{ groupId, ruleId }],
      owner: 'run-nf',
      clients: base.clients(),
    });
    expect(again.alreadyClosed).toEqual([{ groupId, ruleId }]);
  });

  it('reports a close failure naming the rule still open, and can be retried', async () => {
    const groupId = await newGroup();
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.31',
      owner: 'run-cf',
      clients: base.clients(),
    });
    aws.proxy.fail({
      operation: 'RevokeSecurityGroupIngress',
      times: 1,
      error: { code: 'UnauthorizedOperation', status: 403 },
    });
    const error = await window.close().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_CLOSE_FAILED' });
    expect((error as Error).message).toContain(window.ruleIds[0]);
    expect((error as Error).message).toContain('ec2:RevokeSecurityGroupIngress');
    expect(await ingress(groupId)).toHaveLength(1);
    expect((await window.close()).revoked).toHaveLength(1);
    expect(await ingress(groupId)).toEqual([]);
  });
});

describe('two holders behind one address', () => {
  async function twoHolders() {
    const groupId = await newGroup();
    const common = { groupIds: [groupId], ports: 22, ip: '203.0.113.40', clients: base.clients() };
    const a = await openWindow({ ...common, owner: 'job-a', ttl: '1h', clock: fixedClock(T0) });
    const b = await openWindow({ ...common, owner: 'job-b', ttl: '2h', clock: fixedClock(T0) });
    return { groupId, a, b };
  }

  it('the second joins the first rule with its own hold tag', async () => {
    const { groupId, a, b } = await twoHolders();
    expect(a.rules[0]?.mode).toBe('created');
    expect(b.rules[0]?.mode).toBe('joined');
    expect(b.ruleIds).toEqual(a.ruleIds);
    const rules = await ingress(groupId);
    expect(rules).toHaveLength(1);
    expect(tagMap(rules[0])).toEqual({
      [OWNER_TAG]: 'job-a',
      [EXPIRES_TAG]: '2030-01-01T02:00:00.000Z',
      [`${HOLD_TAG_PREFIX}job-a`]: '2030-01-01T01:00:00.000Z',
      [`${HOLD_TAG_PREFIX}job-b`]: '2030-01-01T02:00:00.000Z',
    });
    await closeRules({
      rules: [{ groupId, ruleId: a.ruleIds[0] as string }],
      owner: 'job-a',
      clients: base.clients(),
      clock: fixedClock(T0),
    });
    await closeRules({
      rules: [{ groupId, ruleId: a.ruleIds[0] as string }],
      owner: 'job-b',
      clients: base.clients(),
      clock: fixedClock(T0),
    });
  });

  it('first holder closes first: the rule stays for the second, then goes', async () => {
    const { groupId, a, b } = await twoHolders();
    const first = await a.close();
    expect(first.released).toEqual([{ groupId, ruleId: a.ruleIds[0], heldBy: ['job-b'] }]);
    const rules = await ingress(groupId);
    expect(rules).toHaveLength(1);
    expect(tagMap(rules[0])[`${HOLD_TAG_PREFIX}job-a`]).toBeUndefined();
    const second = await b.close();
    expect(second.revoked).toEqual([{ groupId, ruleId: a.ruleIds[0] }]);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('second holder closes first: the rule stays for the creator, then goes', async () => {
    const { groupId, a, b } = await twoHolders();
    expect((await b.close()).released).toEqual([
      { groupId, ruleId: b.ruleIds[0], heldBy: ['job-a'] },
    ]);
    const rules = await ingress(groupId);
    expect(rules).toHaveLength(1);
    expect(tagMap(rules[0])[`${HOLD_TAG_PREFIX}job-b`]).toBeUndefined();
    expect((await a.close()).revoked).toHaveLength(1);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('an expired hold of a killed holder does not keep the rule open', async () => {
    const groupId = await newGroup();
    const common = { groupIds: [groupId], ports: 22, ip: '203.0.113.41', clients: base.clients() };
    // The creator was killed two hours ago; its one-hour hold has expired.
    await openWindow({ ...common, owner: 'killed', ttl: '1h', clock: fixedClock(T0 - 7_200_000) });
    const b = await openWindow({ ...common, owner: 'job-b', ttl: '1h', clock: fixedClock(T0) });
    expect(b.rules[0]?.mode).toBe('joined');
    expect((await b.close()).revoked).toHaveLength(1);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('an identical rule of someone else admits the address but is never touched', async () => {
    const groupId = await newGroup();
    const manual = await sg.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '203.0.113.50/32', Description: 'office' }],
          },
        ],
      }),
    );
    const manualId = manual.SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
    const window = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.50',
      owner: 'run-x',
      clients: base.clients(),
    });
    expect(window.rules).toEqual([expect.objectContaining({ ruleId: manualId, mode: 'existing' })]);
    expect(window.ruleIds).toEqual([]);
    await window.close();
    const [rule] = await ingress(groupId);
    expect(rule).toMatchObject({ SecurityGroupRuleId: manualId, Description: 'office', Tags: [] });

    const direct = await closeRules({
      rules: [{ groupId, ruleId: manualId }],
      owner: 'run-x',
      clients: base.clients(),
    });
    expect(direct.notOurs).toEqual([
      { groupId, ruleId: manualId, reason: 'the rule has no sg-ip-window tags' },
    ]);
    expect(await ingress(groupId)).toHaveLength(1);
  });
});

describe('refusals: nothing is called, nothing changes', () => {
  it.each([
    [{ cidr: '203.0.113.0/24' }, 'E_WIDE_CIDR', 'allowWide: true'],
    [{ cidr: '0.0.0.0/0', allowWide: true }, 'E_WIDE_CIDR', 'always refused'],
    [{ cidr: '::/0', allowWide: true }, 'E_WIDE_CIDR', 'always refused'],
    [{ cidr: '2001:db8::/64' }, 'E_WIDE_CIDR', 'admits more than one host'],
    [{ cidr: '203.0.113.9/24', allowWide: true }, 'E_INPUT', 'the block is 203.0.113.0/24'],
    [{ ip: '203.0.113.9', cidr: '203.0.113.9/32' }, 'E_INPUT', 'both given'],
    [{ ip: 'my-laptop' }, 'E_INPUT', 'not an IPv4 or IPv6 address'],
    [{ ip: '::ffff:198.51.100.7' }, 'E_INPUT', 'use the IPv4 address 198.51.100.7'],
    [{ cidr: '::ffff:198.51.100.0/120', allowWide: true }, 'E_INPUT', '(198.51.100.0/24)'],
    [{ cidr: '0.0.0.0/1', allowWide: true }, 'E_WIDE_CIDR', 'wider than /16'],
    [{ cidr: '2001:db8::/32', allowWide: true }, 'E_WIDE_CIDR', 'wider than /48'],
    [
      { cidr: '10.0.0.0/8', allowWide: true, confirmWide: '10.0.0.0/9' },
      'E_WIDE_CIDR',
      'does not confirm it',
    ],
    [{ ip: '0.0.0.0' }, 'E_INPUT', 'not a host address'],
    [{ ip: '203.0.113.9', ports: 0 }, 'E_INPUT', 'port'],
    [{ ip: '203.0.113.9', ports: '25-22' }, 'E_INPUT', 'reversed'],
    [{ ip: '203.0.113.9', protocol: 'icmp' }, 'E_INPUT', 'use tcp or udp'],
    [{ ip: '203.0.113.9', ttl: '10' }, 'E_INPUT', 'add a unit'],
    [{ ip: '203.0.113.9', ttl: '30d' }, 'E_INPUT', 'between 1s and 7d'],
    [{ ip: '203.0.113.9', owner: 'a'.repeat(111) }, 'E_INPUT', 'owner'],
    [{ ip: '203.0.113.9', owner: 'bad|owner' }, 'E_INPUT', 'owner'],
    [{ ip: '203.0.113.9', description: 'naïve <b>' }, 'E_INPUT', 'description'],
    [{ ip: '203.0.113.9', groupIds: ['default'] }, 'E_INPUT', 'not a security group id'],
    [{ ip: '203.0.113.9', groupIds: [] }, 'E_INPUT', 'at least one security group'],
  ])('%j -> %s', async (override, code, text) => {
    const groupId = await newGroup();
    aws.proxy.resetStats();
    const error = await openWindow({
      groupIds: [groupId],
      ports: 22,
      owner: 'run-r',
      clients: base.clients(),
      ...(override as object),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(text);
    expect(aws.proxy.stats().total).toBe(0);
  });

  it('opens a wide block only with allowWide', async () => {
    const groupId = await newGroup();
    const window = await openWindow({
      groupIds: [groupId],
      ports: 443,
      cidr: '203.0.113.0/24',
      allowWide: true,
      owner: 'office',
      clients: base.clients(),
    });
    expect((await ingress(groupId))[0]?.CidrIpv4).toBe('203.0.113.0/24');
    expect(window.ip).toBe('203.0.113.0');
    await window.close();
  });
});

describe('all or nothing', () => {
  it('revokes the rules it created when another group does not exist', async () => {
    const groupId = await newGroup();
    const error = await openWindow({
      groupIds: [groupId, 'sg-0123456789abcdef0'],
      ports: [22, 2222],
      ip: '203.0.113.60',
      owner: 'run-aon',
      clients: base.clients(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_GROUP_NOT_FOUND' });
    expect((error as Error).message).toContain('sg-0123456789abcdef0');
    expect((error as Error).message).toContain('nothing was left open');
    expect(await ingress(groupId)).toEqual([]);
  });

  it('revokes the rules it created when one authorize fails, and releases joined holds', async () => {
    const groupId = await newGroup();
    const other = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.61',
      owner: 'other',
      clients: base.clients(),
    });
    aws.proxy.fail({
      operation: 'AuthorizeSecurityGroupIngress',
      nth: 3,
      error: { code: 'InternalError', status: 500 },
    });
    const error = await openWindow({
      groupIds: [groupId],
      ports: [22, 80, 443, 8443],
      ip: '203.0.113.61',
      owner: 'run-aon2',
      clients: base.clients(),
      maxAttempts: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SgIpWindowError);
    expect(error).toMatchObject({ code: 'E_AWS' });
    const rules = await ingress(groupId);
    expect(rules.map((r) => r.SecurityGroupRuleId)).toEqual(other.ruleIds);
    expect(Object.keys(tagMap(rules[0]))).not.toContain(`${HOLD_TAG_PREFIX}run-aon2`);
    await other.close();
  });

  it('names sweep when the group is full', async () => {
    const groupId = await newGroup();
    aws.proxy.fail({
      operation: 'AuthorizeSecurityGroupIngress',
      times: 1,
      error: {
        code: 'RulesPerSecurityGroupLimitExceeded',
        message: 'The maximum number of rules per security group has been reached.',
      },
    });
    const error = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.62',
      owner: 'run-full',
      clients: base.clients(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_RULE_LIMIT' });
    expect((error as Error).message).toContain(`sg-ip-window sweep --group ${groupId}`);
  });
});

describe('withWindow', () => {
  it('closes after the callback, whether it returns or throws', async () => {
    const groupId = await newGroup();
    const options = {
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.70',
      owner: 'run-w',
      clients: base.clients(),
    };
    const value = await withWindow(options, async (window) => {
      expect(await ingress(groupId)).toHaveLength(1);
      return window.ruleIds.length;
    });
    expect(value).toBe(1);
    expect(await ingress(groupId)).toEqual([]);
    await expect(
      withWindow(options, () => {
        throw new Error('deploy failed');
      }),
    ).rejects.toThrow('deploy failed');
    expect(await ingress(groupId)).toEqual([]);
  });

  it('two calls with the default owner each hold the shared rule: the first to end keeps it for the other', async () => {
    const groupId = await newGroup();
    const options = { groupIds: [groupId], ports: 22, ip: '203.0.113.72', clients: base.clients() };
    let releaseOuter = () => {};
    const outerMayEnd = new Promise<void>((r) => {
      releaseOuter = r;
    });
    let outerOwner = '';
    const outer = withWindow(options, async (window) => {
      outerOwner = window.owner;
      await outerMayEnd;
      // The inner window has closed by now: the rule must still be there for this one.
      return ingress(groupId);
    });
    await expect.poll(() => outerOwner).not.toBe('');
    const inner = await withWindow(options, async (window) => {
      expect(window.rules[0]?.mode).toBe('joined');
      expect(window.owner).not.toBe(outerOwner);
      return window.owner;
    });
    expect(outerOwner).toMatch(new RegExp(`/pid-${process.pid}(\\.\\d+)?$`));
    expect(inner).toMatch(new RegExp(`/pid-${process.pid}\\.\\d+$`));
    releaseOuter();
    expect(await outer).toHaveLength(1);
    expect(await ingress(groupId)).toEqual([]);
  });

  it('makes a failed close visible, with the callback error as cause', async () => {
    const groupId = await newGroup();
    const options = {
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.71',
      owner: 'run-w2',
      clients: base.clients(),
    };
    const error = await withWindow(options, () => {
      aws.proxy.fail({
        operation: 'RevokeSecurityGroupIngress',
        times: 1,
        error: { code: 'UnauthorizedOperation', status: 403 },
      });
      throw new Error('deploy failed');
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_CLOSE_FAILED' });
    expect((error as Error).message).toContain('deploy failed');
    expect((error as Error).cause).toEqual(new Error('deploy failed'));
    await closeRules({
      rules: [{ groupId, ruleId: (await ingress(groupId))[0]?.SecurityGroupRuleId as string }],
      owner: 'run-w2',
      clients: base.clients(),
    });
  });
});

describe('sweep', () => {
  it('revokes expired windows of killed runs and nothing else', async () => {
    const groupId = await newGroup();
    const open = (ip: string, owner: string, at: number, ttl = '1h') =>
      openWindow({
        groupIds: [groupId],
        ports: 22,
        ip,
        owner,
        ttl,
        clients: base.clients(),
        clock: fixedClock(at),
      });
    const expired = await open('203.0.113.80', 'killed-1', T0 - 3 * 3_600_000);
    const expired6 = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '2600:1f18::80',
      owner: 'killed-2',
      clients: base.clients(),
      clock: fixedClock(T0 - 3 * 3_600_000),
    });
    const live = await open('203.0.113.81', 'running', T0);
    // Created long ago, but a second holder joined recently and still needs it.
    const joined = await open('203.0.113.82', 'killed-3', T0 - 3 * 3_600_000);
    await open('203.0.113.82', 'joined-later', T0 - 600_000);
    // Rules of people and other tools.
    await sg.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '198.51.100.0/24', Description: 'office' }],
          },
        ],
        TagSpecifications: [
          {
            ResourceType: 'security-group-rule',
            Tags: [
              { Key: 'expires-at', Value: '2000-01-01T00:00:00Z' },
              { Key: 'owner', Value: 'terraform' },
            ],
          },
        ],
      }),
    );
    await sg.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '192.0.2.1/32' }] },
        ],
      }),
    );
    const before = await ingress(groupId);
    expect(before).toHaveLength(6);

    const dry = await sweep({
      groupIds: [groupId],
      now: T0,
      dryRun: true,
      clients: base.clients(),
    });
    expect(dry.revoked.map((r) => r.ruleId).sort()).toEqual(
      [...expired.ruleIds, ...expired6.ruleIds].sort(),
    );
    expect(await ingress(groupId)).toHaveLength(6);

    const result = await sweep({ groupIds: [groupId], now: new Date(T0), clients: base.clients() });
    expect(result.revoked.map((r) => r.ruleId).sort()).toEqual(
      [...expired.ruleIds, ...expired6.ruleIds].sort(),
    );
    expect(result.revoked.find((r) => r.ruleId === expired.ruleIds[0])).toEqual({
      groupId,
      ruleId: expired.ruleIds[0],
      cidr: '203.0.113.80/32',
      ports: 'tcp/22',
      owner: 'killed-1',
      expiresAt: '2029-12-31T22:00:00.000Z',
    });
    expect(result.kept.map((k) => [k.ruleId, k.reason])).toEqual(
      expect.arrayContaining([
        [live.ruleIds[0], 'not expired (until 2030-01-01T01:00:00.000Z)'],
        [joined.ruleIds[0], 'not expired (until 2030-01-01T00:50:00.000Z)'],
      ]),
    );
    const after = await ingress(groupId);
    expect(after).toHaveLength(4);
    expect(after.map((r) => r.CidrIpv4)).toEqual(
      expect.arrayContaining([
        '203.0.113.81/32',
        '203.0.113.82/32',
        '198.51.100.0/24',
        '192.0.2.1/32',
      ]),
    );
  });

  it('keeps an expired rule while an unexpired hold remains', async () => {
    const groupId = await newGroup();
    const a = await openWindow({
      groupIds: [groupId],
      ports: 22,
      ip: '203.0.113.90',
      owner: 'a',
      ttl: '1h',
      clients: base.clients(),
      clock: fixedClock(T0),
    });
    // A holder whose expires-at update was lost (two joiners racing): its hold outlives the rule's tag.
    await sg.ec2.send(
      new CreateTagsCommand({
        Resources: a.ruleIds,
        Tags: [{ Key: `${HOLD_TAG_PREFIX}b`, Value: '2030-01-01T03:00:00.000Z' }],
      }),
    );
    const result = await sweep({
      groupIds: [groupId],
      now: T0 + 2 * 3_600_000,
      clients: base.clients(),
    });
    expect(result.revoked).toEqual([]);
    expect(result.kept).toEqual([
      expect.objectContaining({ ruleId: a.ruleIds[0], reason: 'still held by b' }),
    ]);
    const later = await sweep({
      groupIds: [groupId],
      now: T0 + 4 * 3_600_000,
      clients: base.clients(),
    });
    expect(later.revoked.map((r) => r.ruleId)).toEqual(a.ruleIds);
  });

  it('refuses bad group ids', async () => {
    await expect(sweep({ groupIds: ['sg-nope'], clients: base.clients() })).rejects.toMatchObject({
      code: 'E_INPUT',
    });
  });
});
