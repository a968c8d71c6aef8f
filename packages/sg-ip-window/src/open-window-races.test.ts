// Races between holders that the emulator cannot stage on demand (a rule revoked between
// our Duplicate and our tagging; AWS answering an unknown rule with UnknownIpPermissions),
// played by a stub EC2 client.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { revokeRule } from './ec2-rules.ts';
import { openWindow } from './open-window.ts';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
}

type Handler = (input: Record<string, unknown>) => unknown;

function stubEc2(script: Record<string, Handler[]>): { client: EC2Client; calls: string[] } {
  const calls: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = command.constructor.name.replace(/Command$/, '');
      calls.push(op);
      const next = script[op]?.shift();
      if (!next) throw new Error(`unexpected ${op}`);
      return next(command.input);
    },
  } as unknown as EC2Client;
  return { client, calls };
}

const rule = (id: string, tags: { Key: string; Value: string }[]) => ({
  SecurityGroupRuleId: id,
  GroupId: 'sg-0123456789abcdef0',
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '203.0.113.9/32',
  Tags: tags,
});

describe('joining races', () => {
  it('authorizes again when the rule to join vanished before it could be tagged', async () => {
    const { client, calls } = stubEc2({
      AuthorizeSecurityGroupIngress: [
        () => {
          throw awsError('InvalidPermission.Duplicate');
        },
        () => ({ SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0000000000000000b' }] }),
      ],
      DescribeSecurityGroupRules: [
        () => ({
          SecurityGroupRules: [
            rule('sgr-0000000000000000a', [{ Key: 'sg-ip-window:owner', Value: 'other' }]),
          ],
        }),
      ],
      CreateTags: [
        () => {
          throw awsError('InvalidSecurityGroupRuleId.NotFound');
        },
      ],
    });
    const window = await openWindow({
      groupIds: ['sg-0123456789abcdef0'],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'me',
      clients: { ec2: client },
    });
    expect(window.rules[0]).toMatchObject({ ruleId: 'sgr-0000000000000000b', mode: 'created' });
    expect(calls).toEqual([
      'AuthorizeSecurityGroupIngress',
      'DescribeSecurityGroupRules',
      'CreateTags',
      'AuthorizeSecurityGroupIngress',
    ]);
  });

  it('authorizes again when the duplicate is gone by the time it is looked up', async () => {
    const { client } = stubEc2({
      AuthorizeSecurityGroupIngress: [
        () => {
          throw awsError('InvalidPermission.Duplicate');
        },
        () => ({ SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0000000000000000c' }] }),
      ],
      DescribeSecurityGroupRules: [() => ({ SecurityGroupRules: [] })],
    });
    const window = await openWindow({
      groupIds: ['sg-0123456789abcdef0'],
      ports: 22,
      ip: '203.0.113.9',
      owner: 'me',
      clients: { ec2: client },
    });
    expect(window.ruleIds).toEqual(['sgr-0000000000000000c']);
  });

  it('gives up with a retryable error when the rule keeps flipping', async () => {
    const dup = () => {
      throw awsError('InvalidPermission.Duplicate');
    };
    const { client } = stubEc2({
      AuthorizeSecurityGroupIngress: [dup, dup, dup],
      DescribeSecurityGroupRules: [
        () => ({ SecurityGroupRules: [] }),
        () => ({ SecurityGroupRules: [] }),
        () => ({ SecurityGroupRules: [] }),
      ],
    });
    await expect(
      openWindow({
        groupIds: ['sg-0123456789abcdef0'],
        ports: 22,
        ip: '203.0.113.9',
        owner: 'me',
        clients: { ec2: client },
      }),
    ).rejects.toMatchObject({ code: 'E_AWS', retryable: true });
  });
});

describe('revokeRule', () => {
  it('counts UnknownIpPermissions (some default VPCs) as already closed', async () => {
    const { client } = stubEc2({
      RevokeSecurityGroupIngress: [
        () => ({ Return: true, UnknownIpPermissions: [{ IpProtocol: 'tcp' }] }),
      ],
    });
    expect(await revokeRule(client, 'sg-0123456789abcdef0', 'sgr-0000000000000000a')).toBe(false);
  });
});
